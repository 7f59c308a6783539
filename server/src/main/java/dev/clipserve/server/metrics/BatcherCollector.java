package dev.clipserve.server.metrics;

import dev.clipserve.server.batch.BatcherStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Exposes every model's batcher statistics to Prometheus, read at scrape time: summaries (count,
 * sum, p50/p90/p99) of batch size, queue wait, inference and end-to-end seconds; counters of
 * rejected, expired and cancelled items; a gauge of queued items. Label {@code model}.
 */
public final class BatcherCollector implements MultiCollector {

  /** One model's numbers at scrape time. */
  public record ModelSample(String model, BatcherStats stats, int queuedItems) {}

  private final Supplier<List<ModelSample>> samples;

  /** @param samples the models to report; may return an empty list (e.g. while loading) */
  public BatcherCollector(Supplier<List<ModelSample>> samples) {
    this.samples = samples;
  }

  @Override
  public MetricSnapshots collect() {
    List<ModelSample> now;
    try {
      now = samples.get();
    } catch (RuntimeException e) {
      now = List.of();
    }
    return MetricSnapshots.of(
        summary(now, "clipserve_batch_size_items", "Items per batch sent to the model.", 1, BatcherStats::batchSize),
        summary(now, "clipserve_queue_wait_seconds", "Per item: arrival to being sent in a batch.", 1e-6,
            BatcherStats::queueWaitMicros),
        summary(now, "clipserve_inference_seconds", "Per batch: time in ONNX Runtime.", 1e-6,
            BatcherStats::inferenceMicros),
        summary(now, "clipserve_end_to_end_seconds", "Per successful call: queue entry to answer.", 1e-6,
            BatcherStats::endToEndMicros),
        counter(now, "clipserve_rejected_items", "Items refused because the queue was full.",
            BatcherStats::rejectedItems),
        counter(now, "clipserve_expired_items", "Queued items dropped at their deadline.",
            BatcherStats::expiredItems),
        counter(now, "clipserve_cancelled_items", "Queued items removed because the call was cancelled.",
            BatcherStats::cancelledItems),
        queued(now));
  }

  private static SummarySnapshot summary(
      List<ModelSample> samples, String name, String help, double scale,
      Function<BatcherStats, BatcherStats.Distribution> pick) {
    SummarySnapshot.Builder b = SummarySnapshot.builder().name(name).help(help);
    for (ModelSample s : samples) {
      BatcherStats.Distribution d = pick.apply(s.stats());
      b.dataPoint(
          SummarySnapshot.SummaryDataPointSnapshot.builder()
              .labels(Labels.of("model", s.model()))
              .count(d.count())
              .sum(d.sum() * scale)
              .quantiles(
                  Quantiles.of(
                      new Quantile(0.5, d.p50() * scale),
                      new Quantile(0.9, d.p90() * scale),
                      new Quantile(0.99, d.p99() * scale)))
              .build());
    }
    return b.build();
  }

  private static CounterSnapshot counter(
      List<ModelSample> samples, String name, String help, ToLongFunction<BatcherStats> pick) {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
    for (ModelSample s : samples) {
      b.dataPoint(
          CounterSnapshot.CounterDataPointSnapshot.builder()
              .labels(Labels.of("model", s.model()))
              .value(pick.applyAsLong(s.stats()))
              .build());
    }
    return b.build();
  }

  private static GaugeSnapshot queued(List<ModelSample> samples) {
    GaugeSnapshot.Builder b =
        GaugeSnapshot.builder().name("clipserve_queued_items").help("Items waiting in the model's queue now.");
    for (ModelSample s : samples) {
      b.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder()
              .labels(Labels.of("model", s.model()))
              .value(s.queuedItems())
              .build());
    }
    return b.build();
  }
}
