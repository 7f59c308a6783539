package dev.clipserve.loadtest.run;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram, in milliseconds.
 *
 * @param count number of recorded latencies
 * @param meanMs arithmetic mean
 * @param p50Ms median
 * @param p90Ms 90th percentile
 * @param p99Ms 99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs largest recorded latency
 */
public record LatencySummary(
    long count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms,
    double maxMs) {

  /** Summarizes a histogram of microseconds (as {@link Measurement} records); all 0 if empty. */
  public static LatencySummary ofMicros(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
    }
    return new LatencySummary(
        micros.getTotalCount(),
        micros.getMean() / 1e3,
        micros.getValueAtPercentile(50) / 1e3,
        micros.getValueAtPercentile(90) / 1e3,
        micros.getValueAtPercentile(99) / 1e3,
        micros.getValueAtPercentile(99.9) / 1e3,
        micros.getMaxValue() / 1e3);
  }
}
