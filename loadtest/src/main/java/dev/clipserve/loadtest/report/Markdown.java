package dev.clipserve.loadtest.report;

import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.loadtest.ab.LevelComparison;
import dev.clipserve.loadtest.ab.ModelLevelResult;
import dev.clipserve.loadtest.ab.Spread;
import dev.clipserve.loadtest.eval.AccuracyResult;
import dev.clipserve.loadtest.eval.TextnessGrid;
import dev.clipserve.loadtest.run.LatencySummary;
import java.util.Locale;

/** Renders report.md: the A/B table first, then the sweep, plots, textness and server. */
final class Markdown {
  private Markdown() {}

  static String render(ReportData d) {
    StringBuilder sb = new StringBuilder();
    boolean ab = d.labels().size() == 2;
    sb.append(ab ? "# clipserve A/B: " + d.labels().get(0) + " vs " + d.labels().get(1)
        : "# clipserve load test: " + d.modelNames().get(0)).append("\n\n");
    sb.append(f("Target `%s`, %s, commit `%s`, %s. Workload: %s. Run took %.0f s.%n%n",
        d.target(), d.generatedAt(), d.gitCommit(), d.machine().getOrDefault("summary", ""),
        d.workload(), d.wallSeconds()));
    if (ab) {
      sb.append(abTable(d)).append('\n');
    }
    sb.append("## Load levels\n\n");
    sb.append("| level | model | ").append(d.itemUnit())
        .append("/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | requests | errors |");
    sb.append(ab ? " speed-up (mean ± sd, min..max over rounds) |\n" : "\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|").append(ab ? "---:|\n" : "\n");
    for (LevelComparison lc : d.levels()) {
      for (int m = 0; m < lc.results().size(); m++) {
        ModelLevelResult r = lc.results().get(m);
        LatencySummary s = r.latency();
        sb.append(f("| %s | %s | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %d |",
            lc.level().label(), d.labels().get(m) + " (`" + d.modelNames().get(m) + "`)", r.itemsPerSecond(),
            s.p50Ms(), s.p90Ms(), s.p99Ms(), s.p999Ms(), s.maxMs(), r.requests(), r.errors()));
        if (ab) {
          sb.append(m == 1 && lc.speedup().isPresent() ? " " + spread(lc.speedup().get()) + " |"
              : " |");
        }
        sb.append('\n');
      }
    }
    sb.append("\nOpen-loop latencies are measured from each request's intended send time "
        + "(no coordinated omission); closed-loop ones from the send. Warm-up excluded.\n\n");
    sb.append("## Plots\n\n![latency CDF](latency-cdf.png)\n\n")
        .append("![throughput vs p99](throughput-p99.png)\n\n");
    AccuracyResult a = d.accuracy();
    if (a != null) {
      sb.append("## Accuracy\n\n");
      sb.append(f("Eval set `%s`: %d images, %d with a class (%d classes). Zero-shot prompts: %s"
              + " (embeddings averaged per class, teacher text model). Search: %s.%n%n",
          a.evalDir(), a.images(), a.classifiedImages(), a.classes().size(),
          String.join(" / ", a.promptTemplates()), a.searchMethod()));
      if (!a.textness().isEmpty()) {
        sb.append("### Textness grids\n\n");
        sb.append(f("Query vector `normalize(t + s*b)`, b from `%s` (norm %.3f).%n%n",
            a.textnessVectorFile(), a.textnessBiasNorm()));
        sb.append("| query | model | scale | top-10 with text | top-10 showing the class |\n");
        sb.append("|---|---|---:|---:|---:|\n");
        for (AccuracyResult.TextnessResult t : a.textness()) {
          for (TextnessGrid.Row r : t.rows()) {
            sb.append(f("| %s | %s | %+.0f | %.0f%% | %s |%n", t.query(), t.modelLabel(),
                r.scale(), 100 * r.withTextFraction(), r.showsClassFraction() == null ? "n/a"
                    : f("%.0f%%", 100 * r.showsClassFraction())));
          }
        }
        sb.append('\n');
        for (AccuracyResult.TextnessResult t : a.textness()) {
          sb.append(f("![textness %s %s](%s)%n%n", t.query(), t.modelLabel(), t.file()));
        }
      }
      for (String n : a.notes()) {
        sb.append("- Note: ").append(n).append('\n');
      }
      sb.append('\n');
    }
    sb.append("## Server models\n\n| name | role | modality | dim | image | context | provider "
        + "| max batch | queue delay µs | architecture | parameters |\n"
        + "|---|---|---|---:|---:|---:|---|---:|---:|---|---:|\n");
    for (ModelInfo m : d.serverModels()) {
      sb.append(f("| %s | %s | %s | %d | %d | %d | %s | %d | %d | %s | %d |%n", m.getName(),
          m.getRole().name().replace("MODEL_ROLE_", "").toLowerCase(Locale.ROOT),
          m.getModality().name().replace("MODALITY_", "").toLowerCase(Locale.ROOT),
          m.getDimension(), m.getImageSize(), m.getContextLength(),
          m.getExecutionProvider().name().replace("EXECUTION_PROVIDER_", ""),
          m.getBatching().getMaxBatchSize(), m.getBatching().getMaxQueueDelayUs(),
          m.getArchitecture(), m.getParameters()));
    }
    return sb.toString();
  }

  /** The headline A/B table (also what README and docs show). */
  static String abTable(ReportData d) {
    LevelComparison h = d.headline();
    ModelLevelResult t = h.results().get(0);
    ModelLevelResult s = h.results().get(1);
    AccuracyResult a = d.accuracy();
    StringBuilder sb = new StringBuilder();
    sb.append(f("| %s | %s (`%s`) | %s (`%s`) | %s / %s |%n", "at " + h.level().label(),
        d.labels().get(0), d.modelNames().get(0), d.labels().get(1), d.modelNames().get(1),
        d.labels().get(1),
        d.labels().get(0)));
    sb.append("|---|---:|---:|---:|\n");
    double ratio = t.itemsPerSecond() > 0 ? s.itemsPerSecond() / t.itemsPerSecond() : 0;
    sb.append(f("| throughput (%s/s) | %.1f | %.1f | **%.2fx** %s |%n", d.itemUnit(),
        t.itemsPerSecond(), s.itemsPerSecond(), ratio,
        h.speedup().map(sp -> "(" + spread(sp) + ")").orElse("")));
    sb.append(f("| p50 latency (ms) | %.2f | %.2f | %.2fx |%n", t.latency().p50Ms(),
        s.latency().p50Ms(), div(s.latency().p50Ms(), t.latency().p50Ms())));
    sb.append(f("| p99 latency (ms) | %.2f | %.2f | %.2fx |%n", t.latency().p99Ms(),
        s.latency().p99Ms(), div(s.latency().p99Ms(), t.latency().p99Ms())));
    if (a != null) {
      Double zt = a.zeroShotTop1().get(d.labels().get(0));
      Double zs = a.zeroShotTop1().get(d.labels().get(1));
      sb.append(f("| zero-shot top-1 | %.3f | %.3f | %+.3f |%n", zt, zs, zs - zt));
      Double pt = a.zeroShotTop1WithoutText().get(d.labels().get(0));
      Double ps = a.zeroShotTop1WithoutText().get(d.labels().get(1));
      Double wt = a.zeroShotTop1WithText().get(d.labels().get(0));
      Double ws = a.zeroShotTop1WithText().get(d.labels().get(1));
      sb.append(f("| &nbsp; objects without text / with text | %.3f / %.3f | %.3f / %.3f | |%n",
          pt, wt, ps, ws));
      sb.append(f("| mean cosine student vs teacher | | | %.3f |%n", a.meanCosine()));
      sb.append(f("| recall@10 overlap (student search vs teacher search) | | | %.3f |%n",
          a.recallAt10()));
    }
    return sb.toString();
  }

  private static double div(double a, double b) {
    return b > 0 ? a / b : 0;
  }

  private static String spread(Spread s) {
    return f("%.2f ± %.2f, %.2f..%.2f over %d rounds", s.mean(), s.stdev(), s.min(), s.max(),
        s.values().size());
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
