package dev.clipserve.loadtest.run;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects the latencies, item counts and errors of one run. Recording is wait-free (an
 * HdrHistogram {@link Recorder}) and may happen from any thread; {@link #interval()} is called by
 * one reporting thread at a time and folds each interval into the running total.
 *
 * <p>Latencies are stored in microseconds, 3 significant digits.
 */
public final class Measurement {
  private final Recorder recorder = new Recorder(3);
  private final LongAdder requests = new LongAdder();
  private final LongAdder items = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final Map<String, LongAdder> errorsByCode = new ConcurrentHashMap<>();
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final Histogram total = new Histogram(3);

  @GuardedBy("lock")
  private Histogram recycled;

  /** Records one successful request that took {@code latencyNanos} (>= 0) and carried items. */
  public void recordSuccess(long latencyNanos, int itemCount) {
    recorder.recordValue(Math.max(1, latencyNanos / 1_000));
    requests.increment();
    items.add(itemCount);
  }

  /** Records one failed request; {@code code} is e.g. a gRPC status code name. */
  public void recordError(String code) {
    errors.increment();
    errorsByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  /**
   * Returns the latencies recorded since the previous call (a copy the caller owns) and adds them
   * to the total.
   */
  public Histogram interval() {
    synchronized (lock) {
      recycled = recorder.getIntervalHistogram(recycled);
      total.add(recycled);
      return recycled.copy();
    }
  }

  /** Returns a copy of every latency recorded so far, in microseconds. */
  public Histogram total() {
    synchronized (lock) {
      interval();
      return total.copy();
    }
  }

  /** Successful requests so far. */
  public long requests() {
    return requests.sum();
  }

  /** Items carried by successful requests so far. */
  public long items() {
    return items.sum();
  }

  /** Failed requests so far. */
  public long errors() {
    return errors.sum();
  }

  /** Failed requests by code, sorted by code. */
  public Map<String, Long> errorsByCode() {
    Map<String, Long> out = new TreeMap<>();
    errorsByCode.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
