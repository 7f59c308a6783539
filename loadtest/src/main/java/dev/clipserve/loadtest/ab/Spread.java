package dev.clipserve.loadtest.ab;

import java.util.List;

/**
 * Mean, sample standard deviation and range of a few numbers (e.g. per-window throughput ratios).
 *
 * @param values the numbers, in order
 */
public record Spread(double mean, double stdev, double min, double max, List<Double> values) {
  public Spread {
    values = List.copyOf(values);
  }

  /** Summarizes {@code values}; all 0 (NaN-free) for an empty list. */
  public static Spread of(List<Double> values) {
    if (values.isEmpty()) {
      return new Spread(0, 0, 0, 0, values);
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    double mean = sum / values.size();
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    double stdev = values.size() > 1 ? Math.sqrt(ss / (values.size() - 1)) : 0;
    return new Spread(mean, stdev, min, max, values);
  }
}
