package dev.clipserve.loadtest.ab;

import dev.clipserve.loadtest.run.LatencySummary;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One model at one load level, all its windows merged.
 *
 * @param model the name requests used ("teacher", "student" or a repository name)
 * @param itemsPerSecond items of all windows / measured time of all windows
 * @param latency percentiles of all windows' latencies
 * @param latencyMicros the merged histogram (microseconds), for CDF plots
 * @param windowItemsPerSecond throughput of each window, in run order
 * @param requests successful requests
 * @param errors failed requests
 * @param errorsByCode failures by status code
 */
public record ModelLevelResult(
    String model, double itemsPerSecond, LatencySummary latency, Histogram latencyMicros,
    List<Double> windowItemsPerSecond, long requests, long errors,
    Map<String, Long> errorsByCode) {
  public ModelLevelResult {
    windowItemsPerSecond = List.copyOf(windowItemsPerSecond);
    errorsByCode = Map.copyOf(errorsByCode);
  }
}
