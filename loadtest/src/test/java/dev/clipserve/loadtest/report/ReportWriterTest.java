package dev.clipserve.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.api.v1.ModelRole;
import dev.clipserve.loadtest.ab.LevelComparison;
import dev.clipserve.loadtest.ab.ModelLevelResult;
import dev.clipserve.loadtest.ab.Spread;
import dev.clipserve.loadtest.eval.AccuracyResult;
import dev.clipserve.loadtest.eval.TextnessGrid;
import dev.clipserve.loadtest.run.LatencySummary;
import dev.clipserve.loadtest.run.LoadLevel;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  @TempDir Path dir;

  static ModelLevelResult result(String model, double ips, long latencyMicros) {
    Histogram h = new Histogram(3);
    for (int i = 1; i <= 100; i++) {
      h.recordValue(latencyMicros * i / 50);
    }
    return new ModelLevelResult(model, ips, LatencySummary.ofMicros(h), h,
        List.of(ips * 0.9, ips * 1.1), 100, 0, Map.of());
  }

  /** A two-level A/B with accuracy and one textness grid. */
  static ReportData sample() {
    List<LevelComparison> levels = List.of(
        new LevelComparison(LoadLevel.closed(1),
            List.of(result("teacher", 20, 50_000), result("student", 90, 11_000)),
            Optional.of(Spread.of(List.of(4.4, 4.6)))),
        new LevelComparison(LoadLevel.closed(8),
            List.of(result("teacher", 25, 320_000), result("student", 120, 66_000)),
            Optional.of(Spread.of(List.of(4.7, 4.9)))));
    AccuracyResult acc = new AccuracyResult("models/eval", 10, 8, List.of("cat", "fish"),
        List.of("a drawing of {a} {class}"), Map.of("teacher", 0.9, "student", 0.85),
        Map.of("teacher", 0.95, "student", 0.9), Map.of("teacher", 0.7, "student", 0.6), 0.93, 0.8,
        0.8,
        List.of("a drawing of a cat"), "client-side", List.of(new AccuracyResult.TextnessResult(
            "cat", "teacher",
            List.of(new TextnessGrid.Row(-2, List.of(0, 1), 0.0, 1.0),
                new TextnessGrid.Row(2, List.of(1, 0), 1.0, 0.5)),
            List.of(List.of("a", "b"), List.of("b", "a")), "textness-cat-teacher.png")),
        "models/textness/b.npy", 1.5, List.of());
    return new ReportData("2025-01-01T00:00:00Z", "abc123", Map.of("cpus", 2, "summary", "2 CPUs"),
        "localhost:50051",
        List.of(ModelInfo.newBuilder().setName("teacher-image")
            .setRole(ModelRole.MODEL_ROLE_TEACHER).setDimension(512).build()),
        Map.of("rounds", 2), "EncodeImages", "images", List.of("teacher", "student"),
        List.of("teacher", "student"), levels, acc, 12.5, "{\"zero_shot\": 0.9}");
  }

  @Test
  void reportJsonHasTheAbKeysWithNumbers() throws Exception {
    ReportWriter.write(dir, sample());
    JsonObject o = JsonParser.parseString(Files.readString(dir.resolve("report.json")))
        .getAsJsonObject();
    JsonObject ab = o.getAsJsonObject("ab");
    for (String model : List.of("teacher", "student")) {
      JsonObject m = ab.getAsJsonObject(model);
      for (String key : List.of("throughput_ips", "p50_ms", "p99_ms", "zero_shot_top1")) {
        assertTrue(m.get(key).getAsJsonPrimitive().isNumber(), model + "." + key);
      }
    }
    for (String key : List.of("student_teacher_speedup", "student_teacher_cosine",
        "recall_at_10_overlap")) {
      assertTrue(ab.get(key).getAsJsonPrimitive().isNumber(), key);
    }
    assertEquals(120.0 / 25.0, ab.get("student_teacher_speedup").getAsDouble(), 1e-9);
    assertEquals(0.85, ab.getAsJsonObject("student").get("zero_shot_top1").getAsDouble());
    assertEquals(0.93, ab.get("student_teacher_cosine").getAsDouble());
    assertEquals(4.8, ab.getAsJsonObject("student_teacher_speedup_spread").get("mean")
        .getAsDouble(), 1e-9);
  }

  @Test
  void reportJsonCarriesProvenanceServerConfigAndEveryLevel() throws Exception {
    ReportWriter.write(dir, sample());
    JsonObject o = JsonParser.parseString(Files.readString(dir.resolve("report.json")))
        .getAsJsonObject();
    assertEquals("abc123", o.get("git_commit").getAsString());
    assertEquals(2, o.getAsJsonObject("machine").get("cpus").getAsInt());
    assertEquals("teacher-image", o.getAsJsonObject("server").getAsJsonArray("models").get(0)
        .getAsJsonObject().get("name").getAsString());
    assertEquals(2, o.getAsJsonArray("levels").size());
    JsonObject c8 = o.getAsJsonArray("levels").get(1).getAsJsonObject();
    assertEquals("c=8", c8.get("label").getAsString());
    assertTrue(c8.getAsJsonObject("teacher").getAsJsonObject("latency").get("p999_ms")
        .getAsJsonPrimitive().isNumber());
    assertEquals(2, o.getAsJsonObject("accuracy").getAsJsonObject("textness")
        .getAsJsonArray("grids").get(0).getAsJsonObject().getAsJsonArray("rows").size());
  }

  @Test
  void writesMarkdownWithTheAbTableAndReadablePlots() throws Exception {
    List<Path> files = ReportWriter.write(dir, sample());
    String md = Files.readString(dir.resolve("report.md"));
    assertTrue(md.contains("| throughput (images/s) | 25.0 | 120.0 | **4.80x**"), md);
    assertTrue(md.contains("![latency CDF](latency-cdf.png)"));
    for (String png : List.of("latency-cdf.png", "throughput-p99.png")) {
      BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
      assertNotNull(img, png);
      assertTrue(img.getWidth() > 100);
    }
    assertTrue(Files.readString(dir.resolve("latency-cdf.svg")).startsWith("<svg"));
    assertTrue(files.contains(dir.resolve("report.json")));
  }
}
