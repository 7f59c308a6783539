package dev.clipserve.loadtest.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.loadtest.ab.LevelComparison;
import dev.clipserve.loadtest.ab.ModelLevelResult;
import dev.clipserve.loadtest.ab.Spread;
import dev.clipserve.loadtest.eval.AccuracyResult;
import dev.clipserve.loadtest.eval.TextnessGrid;
import dev.clipserve.loadtest.run.LatencySummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code report.json}, {@code report.md} and the plots into a folder. The JSON carries
 * every number; the A/B headline lives under {@code ab} with the key names the issue fixes.
 */
public final class ReportWriter {
  /** Bumped when report.json changes incompatibly. */
  public static final int SCHEMA_VERSION = 1;

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  private ReportWriter() {}

  /** Writes everything into {@code dir} (created if needed); returns the files written. */
  public static List<Path> write(Path dir, ReportData data) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>(Plots.write(dir, data));
    Path json = dir.resolve("report.json");
    Files.writeString(json, GSON.toJson(toJson(data, files, dir)), StandardCharsets.UTF_8);
    Path md = dir.resolve("report.md");
    Files.writeString(md, Markdown.render(data), StandardCharsets.UTF_8);
    files.add(json);
    files.add(md);
    if (data.accuracy() != null) {
      data.accuracy().textness().forEach(t -> files.add(dir.resolve(t.file())));
    }
    return files;
  }

  /** The report.json document. */
  public static JsonObject toJson(ReportData d, List<Path> plots, Path dir) {
    JsonObject o = new JsonObject();
    o.addProperty("schema_version", SCHEMA_VERSION);
    o.addProperty("generated_at", d.generatedAt());
    o.addProperty("git_commit", d.gitCommit());
    o.add("machine", GSON.toJsonTree(d.machine()));
    o.addProperty("target", d.target());
    o.add("config", GSON.toJsonTree(d.config()));
    o.addProperty("workload", d.workload());
    o.addProperty("item_unit", d.itemUnit());
    o.addProperty("wall_seconds", d.wallSeconds());
    JsonObject server = new JsonObject();
    JsonArray models = new JsonArray();
    for (ModelInfo m : d.serverModels()) {
      models.add(modelInfo(m));
    }
    server.add("models", models);
    o.add("server", server);
    JsonObject names = new JsonObject();
    for (int i = 0; i < d.labels().size(); i++) {
      names.addProperty(d.labels().get(i), d.modelNames().get(i));
    }
    o.add("models", names);

    JsonArray levels = new JsonArray();
    for (LevelComparison lc : d.levels()) {
      JsonObject l = new JsonObject();
      l.addProperty("mode", lc.level().mode().name().toLowerCase());
      l.addProperty("value", lc.level().value());
      l.addProperty("label", lc.level().label());
      for (int i = 0; i < lc.results().size(); i++) {
        l.add(d.labels().get(i), modelLevel(lc.results().get(i)));
      }
      lc.speedup().ifPresent(s -> l.add("student_teacher_speedup", spread(s)));
      levels.add(l);
    }
    o.add("levels", levels);

    if (d.labels().size() == 2) {
      o.add("ab", ab(d));
    }
    if (d.accuracy() != null) {
      o.add("accuracy", accuracy(d.accuracy()));
    }
    if (d.trainingMetricsJson() != null) {
      try {
        o.add("training_metrics", JsonParser.parseString(d.trainingMetricsJson()));
      } catch (RuntimeException e) {
        o.addProperty("training_metrics", "unreadable: " + e.getMessage());
      }
    }
    JsonArray files = new JsonArray();
    plots.forEach(p -> files.add(dir.relativize(p).toString()));
    o.add("plots", files);
    return o;
  }

  private static JsonObject ab(ReportData d) {
    LevelComparison h = d.headline();
    AccuracyResult acc = d.accuracy();
    JsonObject ab = new JsonObject();
    ab.addProperty("level", h.level().label());
    for (int i = 0; i < 2; i++) {
      String label = d.labels().get(i);
      ModelLevelResult r = h.results().get(i);
      JsonObject m = new JsonObject();
      m.addProperty("model", d.modelNames().get(i));
      m.addProperty("throughput_ips", r.itemsPerSecond());
      m.addProperty("p50_ms", r.latency().p50Ms());
      m.addProperty("p90_ms", r.latency().p90Ms());
      m.addProperty("p99_ms", r.latency().p99Ms());
      m.addProperty("p999_ms", r.latency().p999Ms());
      m.addProperty("max_ms", r.latency().maxMs());
      m.add("zero_shot_top1", acc == null ? JsonNull.INSTANCE
          : num(acc.zeroShotTop1().get(label)));
      ab.add(label, m);
    }
    double base = h.results().get(0).itemsPerSecond();
    ab.add("student_teacher_speedup",
        num(base > 0 ? h.results().get(1).itemsPerSecond() / base : null));
    h.speedup().ifPresent(s -> ab.add("student_teacher_speedup_spread", spread(s)));
    ab.add("student_teacher_cosine", acc == null ? JsonNull.INSTANCE : num(acc.meanCosine()));
    ab.add("recall_at_10_overlap", acc == null ? JsonNull.INSTANCE : num(acc.recallAt10()));
    return ab;
  }

  private static JsonElement num(Double v) {
    if (v == null || v.isNaN() || v.isInfinite()) {
      return JsonNull.INSTANCE;
    }
    return new com.google.gson.JsonPrimitive(v);
  }

  private static JsonObject modelLevel(ModelLevelResult r) {
    JsonObject m = new JsonObject();
    m.addProperty("model", r.model());
    m.addProperty("throughput_ips", r.itemsPerSecond());
    m.add("latency", latency(r.latency()));
    JsonArray w = new JsonArray();
    r.windowItemsPerSecond().forEach(w::add);
    m.add("window_throughput_ips", w);
    m.addProperty("requests", r.requests());
    m.addProperty("errors", r.errors());
    m.add("errors_by_code", GSON.toJsonTree(r.errorsByCode()));
    return m;
  }

  private static JsonObject latency(LatencySummary s) {
    JsonObject o = new JsonObject();
    o.addProperty("count", s.count());
    o.addProperty("mean_ms", s.meanMs());
    o.addProperty("p50_ms", s.p50Ms());
    o.addProperty("p90_ms", s.p90Ms());
    o.addProperty("p99_ms", s.p99Ms());
    o.addProperty("p999_ms", s.p999Ms());
    o.addProperty("max_ms", s.maxMs());
    return o;
  }

  private static JsonObject spread(Spread s) {
    JsonObject o = new JsonObject();
    o.addProperty("mean", s.mean());
    o.addProperty("stdev", s.stdev());
    o.addProperty("min", s.min());
    o.addProperty("max", s.max());
    JsonArray v = new JsonArray();
    s.values().forEach(v::add);
    o.add("per_round", v);
    return o;
  }

  private static JsonObject accuracy(AccuracyResult a) {
    JsonObject o = new JsonObject();
    o.addProperty("eval_dir", a.evalDir());
    o.addProperty("images", a.images());
    o.addProperty("classified_images", a.classifiedImages());
    o.add("classes", GSON.toJsonTree(a.classes()));
    o.add("prompt_templates", GSON.toJsonTree(a.promptTemplates()));
    JsonObject top1 = new JsonObject();
    a.zeroShotTop1().forEach((k, v) -> top1.add(k, num(v)));
    o.add("zero_shot_top1", top1);
    JsonObject plain = new JsonObject();
    a.zeroShotTop1WithoutText().forEach((k, v) -> plain.add(k, num(v)));
    o.add("zero_shot_top1_without_text", plain);
    JsonObject text = new JsonObject();
    a.zeroShotTop1WithText().forEach((k, v) -> text.add(k, num(v)));
    o.add("zero_shot_top1_with_text", text);
    o.add("mean_cosine", num(a.meanCosine()));
    o.add("recall_at_10_overlap", num(a.recallAt10()));
    o.add("recall_at_10_overlap_client", num(a.recallAt10Client()));
    o.add("recall_queries", GSON.toJsonTree(a.queries()));
    o.addProperty("search_method", a.searchMethod());
    JsonObject t = new JsonObject();
    t.addProperty("vector_file", a.textnessVectorFile());
    t.addProperty("bias_norm", a.textnessBiasNorm());
    JsonArray grids = new JsonArray();
    for (AccuracyResult.TextnessResult g : a.textness()) {
      JsonObject go = new JsonObject();
      go.addProperty("query", g.query());
      go.addProperty("model", g.modelLabel());
      go.addProperty("file", g.file());
      JsonArray rows = new JsonArray();
      for (int i = 0; i < g.rows().size(); i++) {
        TextnessGrid.Row r = g.rows().get(i);
        JsonObject ro = new JsonObject();
        ro.addProperty("scale", r.scale());
        ro.addProperty("with_text_fraction", r.withTextFraction());
        ro.add("shows_class_fraction", num(r.showsClassFraction()));
        ro.add("top10", GSON.toJsonTree(g.topIds().get(i)));
        rows.add(ro);
      }
      go.add("rows", rows);
      grids.add(go);
    }
    t.add("grids", grids);
    o.add("textness", t);
    o.add("notes", GSON.toJsonTree(a.notes()));
    return o;
  }

  private static JsonElement modelInfo(ModelInfo m) {
    try {
      return JsonParser.parseString(JsonFormat.printer().preservingProtoFieldNames()
          .includingDefaultValueFields().print(m));
    } catch (InvalidProtocolBufferException e) {
      JsonObject o = new JsonObject();
      o.addProperty("name", m.getName());
      return o;
    }
  }

}
