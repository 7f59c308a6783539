package dev.clipserve.server.batch;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@link BatcherMetrics} on HdrHistogram {@link Recorder}s: recording is wait-free from any
 * thread; {@link #snapshot()} folds the interval histograms into cumulative ones. Durations are
 * recorded in microseconds (3 significant digits).
 */
public final class HdrBatcherMetrics implements BatcherMetrics {

  private final Cumulative batchSize = new Cumulative();
  private final Cumulative queueWait = new Cumulative();
  private final Cumulative inference = new Cumulative();
  private final Cumulative endToEnd = new Cumulative();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private final LongAdder cancelled = new LongAdder();

  @Override
  public void batchSent(int items) {
    batchSize.record(items);
  }

  @Override
  public void queueWait(long nanos) {
    queueWait.record(nanos / 1000);
  }

  @Override
  public void inference(long nanos) {
    inference.record(nanos / 1000);
  }

  @Override
  public void endToEnd(long nanos) {
    endToEnd.record(nanos / 1000);
  }

  @Override
  public void rejected(int items) {
    rejected.add(items);
  }

  @Override
  public void expired(int items) {
    expired.add(items);
  }

  @Override
  public void cancelled(int items) {
    cancelled.add(items);
  }

  /** Everything recorded since creation. Thread-safe. */
  public BatcherStats snapshot() {
    return new BatcherStats(
        batchSize.summary(),
        queueWait.summary(),
        inference.summary(),
        endToEnd.summary(),
        rejected.sum(),
        expired.sum(),
        cancelled.sum());
  }

  private static final class Cumulative {
    private final Recorder recorder = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private Histogram recycled;

    void record(long value) {
      recorder.recordValue(Math.max(0, value));
    }

    synchronized BatcherStats.Distribution summary() {
      recycled = recorder.getIntervalHistogram(recycled);
      total.add(recycled);
      long n = total.getTotalCount();
      if (n == 0) {
        return BatcherStats.Distribution.EMPTY;
      }
      double mean = total.getMean();
      return new BatcherStats.Distribution(
          n,
          mean * n,
          mean,
          total.getValueAtPercentile(50),
          total.getValueAtPercentile(90),
          total.getValueAtPercentile(99),
          total.getMaxValue());
    }
  }
}
