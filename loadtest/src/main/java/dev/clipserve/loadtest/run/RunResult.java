package dev.clipserve.loadtest.run;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one measured run produced (warm-up excluded).
 *
 * @param requests successful requests started in the measured window
 * @param items items those requests carried
 * @param errors failed requests started in the measured window
 * @param errorsByCode failures by status code name
 * @param measuredNanos length of the measured window
 * @param latencyMicros latency histogram in microseconds (open loop: from the intended send time)
 * @param maxSendLagNanos open loop: the largest delay between a request's intended and actual send
 *     time (how far the generator itself fell behind); 0 for closed loop
 */
public record RunResult(
    long requests, long items, long errors, Map<String, Long> errorsByCode, long measuredNanos,
    Histogram latencyMicros, long maxSendLagNanos) {

  public RunResult {
    errorsByCode = Map.copyOf(errorsByCode);
  }

  /** Items per second over the measured window. */
  public double itemsPerSecond() {
    return measuredNanos <= 0 ? 0 : items * 1e9 / measuredNanos;
  }

  /** Successful requests per second over the measured window. */
  public double requestsPerSecond() {
    return measuredNanos <= 0 ? 0 : requests * 1e9 / measuredNanos;
  }

  /** The latency percentiles. */
  public LatencySummary latency() {
    return LatencySummary.ofMicros(latencyMicros);
  }
}
