package dev.clipserve.loadtest.report;

import dev.clipserve.loadtest.ab.LevelComparison;
import dev.clipserve.loadtest.ab.ModelLevelResult;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** The report's charts: latency CDF per model and level, throughput against p99 per model. */
final class Plots {
  /** Deepest tail shown on the CDF's x axis: 99.99 %. */
  private static final double MAX_NINES = 4;

  private Plots() {}

  static List<Path> write(Path dir, ReportData d) throws IOException {
    List<Path> out = new ArrayList<>();
    latencyCdf(d).write(dir, "latency-cdf");
    out.add(dir.resolve("latency-cdf.png"));
    out.add(dir.resolve("latency-cdf.svg"));
    throughputVsP99(d).write(dir, "throughput-p99");
    out.add(dir.resolve("throughput-p99.png"));
    out.add(dir.resolve("throughput-p99.svg"));
    return out;
  }

  /** Lighter shades for lower load levels; the highest level gets the full color. */
  static Color shade(Color c, int level, int levels) {
    double f = levels <= 1 ? 0 : 0.6 * (levels - 1 - level) / (levels - 1);
    return new Color((int) (c.getRed() + (255 - c.getRed()) * f),
        (int) (c.getGreen() + (255 - c.getGreen()) * f),
        (int) (c.getBlue() + (255 - c.getBlue()) * f));
  }

  static Chart latencyCdf(ReportData d) {
    List<Chart.Series> series = new ArrayList<>();
    int n = d.levels().size();
    for (int m = 0; m < d.labels().size(); m++) {
      for (int l = 0; l < n; l++) {
        LevelComparison lc = d.levels().get(l);
        ModelLevelResult r = lc.results().get(m);
        double[][] xy = cdfPoints(r.latencyMicros());
        series.add(new Chart.Series(d.labels().get(m) + " " + lc.level().label(),
            shade(Chart.PALETTE.get(m % Chart.PALETTE.size()), l, n), xy[0], xy[1], null,
            m == 1, false));
      }
    }
    List<Chart.Tick> ticks = List.of(new Chart.Tick(0, "0%"), new Chart.Tick(1, "90%"),
        new Chart.Tick(2, "99%"), new Chart.Tick(3, "99.9%"), new Chart.Tick(4, "99.99%"));
    return new Chart("Latency by percentile (" + d.workload() + ")", "percentile", "latency (ms)",
        series, ticks);
  }

  /** x = -log10(1 - p), so 90 % -> 1, 99 % -> 2; y = latency in ms. */
  static double[][] cdfPoints(Histogram micros) {
    List<double[]> pts = new ArrayList<>();
    if (micros.getTotalCount() > 0) {
      for (HistogramIterationValue v : micros.percentiles(5)) {
        double p = v.getPercentileLevelIteratedTo() / 100.0;
        double x = p >= 1 ? MAX_NINES : Math.min(MAX_NINES, -Math.log10(1 - p));
        pts.add(new double[] {x, v.getValueIteratedTo() / 1e3});
        if (x >= MAX_NINES) {
          break;
        }
      }
    }
    double[][] out = new double[2][pts.size()];
    for (int i = 0; i < pts.size(); i++) {
      out[0][i] = pts.get(i)[0];
      out[1][i] = pts.get(i)[1];
    }
    return out;
  }

  static Chart throughputVsP99(ReportData d) {
    List<Chart.Series> series = new ArrayList<>();
    for (int m = 0; m < d.labels().size(); m++) {
      int n = d.levels().size();
      double[] xs = new double[n];
      double[] ys = new double[n];
      List<String> labels = new ArrayList<>();
      for (int l = 0; l < n; l++) {
        ModelLevelResult r = d.levels().get(l).results().get(m);
        xs[l] = r.itemsPerSecond();
        ys[l] = r.latency().p99Ms();
        labels.add(d.levels().get(l).level().label());
      }
      series.add(new Chart.Series(d.labels().get(m) + " (" + d.modelNames().get(m) + ")",
          Chart.PALETTE.get(m % Chart.PALETTE.size()), xs, ys, labels, false, true));
    }
    return new Chart("Throughput against p99 latency", d.itemUnit() + " per second",
        "p99 latency (ms)", series, List.of());
  }
}
