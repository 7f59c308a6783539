package dev.clipserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.clipserve.loadtest.run.NanoClock;
import dev.clipserve.loadtest.workload.GrpcTarget;
import dev.clipserve.server.ClipServer;
import dev.clipserve.server.RunnerDecorator;
import dev.clipserve.server.ServerConfig;
import dev.clipserve.server.inference.OrtRuntime;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short A/B against the real server (in process) on the tiny random-weight test models. */
class LoadTestIT {
  private static final Path TINY_MODELS = Path.of("../server/src/test/resources/models");
  private static final int DIM = 32; // the tiny models' embedding dimension

  @TempDir Path dir;
  private ClipServer server;
  private ManagedChannel channel;

  @BeforeEach
  void startServer() throws Exception {
    String name = InProcessServerBuilder.generateName();
    ServerConfig config = ServerConfig.defaults(TINY_MODELS).withDataDir(dir.resolve("data"));
    server = new ClipServer(config, InProcessServerBuilder.forName(name),
        new OrtRuntime(OrtEnvironment.getEnvironment(), config.inference()),
        RunnerDecorator.NONE).start();
    channel = InProcessChannelBuilder.forName(name).maxInboundMessageSize(64 << 20).build();
  }

  @AfterEach
  void stopServer() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdown();
    }
  }

  /** Writes a 24-image eval set: shapes of two classes, a third of them with a word. */
  private Path evalSet() throws Exception {
    Path eval = dir.resolve("eval");
    Files.createDirectories(eval);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = img.createGraphics();
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, 48, 48);
      g.setColor(i % 2 == 0 ? Color.RED : Color.BLUE);
      if (i % 2 == 0) {
        g.fillOval(8, 8, 32, 32);
      } else {
        g.fillRect(8, 8, 32, 32);
      }
      boolean text = i % 3 == 0;
      if (text) {
        g.setColor(Color.BLACK);
        g.drawString("cat", 10, 44);
      }
      g.dispose();
      String file = String.format(Locale.ROOT, "img-%02d.png", i);
      ImageIO.write(img, "png", eval.resolve(file).toFile());
      lines.add(String.format(Locale.ROOT,
          "{\"file\": \"%s\", \"id\": \"t-%d\", \"class\": \"%s\", \"has_text\": %s, "
              + "\"text\": %s}", file, i, i % 2 == 0 ? "cat" : "fish", text,
          text ? "\"cat\"" : "null"));
    }
    Files.write(eval.resolve("labels.jsonl"), lines);
    StringBuilder v = new StringBuilder("{\"vector\": [");
    for (int i = 0; i < DIM; i++) {
      v.append(i == 0 ? "" : ", ").append(i % 2 == 0 ? 0.25 : -0.25);
    }
    Files.writeString(dir.resolve("textness.json"), v.append("]}").toString());
    return eval;
  }

  @Test
  void shortAbWritesACompleteReport() throws Exception {
    Path eval = evalSet();
    Path out = dir.resolve("out");
    Options options = Options.parse(new String[] {
        "--ab", "teacher,student", "--concurrency", "1,2", "--duration", "300ms",
        "--warmup", "100ms", "--initial-warmup", "200ms", "--rounds", "2",
        "--eval-dir", eval.toString(), "--textness-vector", dir.resolve("textness.json").toString(),
        "--textness-queries", "cat", "--out", out.toString()});
    List<String> lines = new ArrayList<>();
    try (GrpcTarget target = GrpcTarget.wrap("in-process", channel)) {
      new LoadTest(options, target, NanoClock.system(), lines::add).run();
    }
    assertTrue(lines.stream().anyMatch(l -> l.contains("round 2")), "progress: " + lines);

    JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json")))
        .getAsJsonObject();
    JsonObject ab = report.getAsJsonObject("ab");
    for (String model : List.of("teacher", "student")) {
      JsonObject m = ab.getAsJsonObject(model);
      assertTrue(m.get("throughput_ips").getAsDouble() > 0, model);
      assertTrue(m.get("p50_ms").getAsDouble() > 0, model);
      assertTrue(m.get("p99_ms").getAsDouble() >= m.get("p50_ms").getAsDouble(), model);
      double top1 = m.get("zero_shot_top1").getAsDouble();
      assertTrue(top1 >= 0 && top1 <= 1, model);
    }
    assertEquals("tiny-teacher-image", ab.getAsJsonObject("teacher").get("model").getAsString());
    assertEquals("tiny-student-image", ab.getAsJsonObject("student").get("model").getAsString());
    assertTrue(ab.get("student_teacher_speedup").getAsDouble() > 0);
    double cosine = ab.get("student_teacher_cosine").getAsDouble();
    assertTrue(cosine >= -1 && cosine <= 1);
    double recall = ab.get("recall_at_10_overlap").getAsDouble();
    assertTrue(recall >= 0 && recall <= 1);
    assertTrue(report.getAsJsonObject("accuracy").get("search_method").getAsString()
        .startsWith("server-side SearchService"), "recall@10 via the server's SearchService");
    assertTrue(report.getAsJsonObject("accuracy").get("recall_at_10_overlap_client")
        .getAsJsonPrimitive().isNumber());
    assertEquals(3, report.getAsJsonObject("server").getAsJsonArray("models").size());
    assertEquals(2, report.getAsJsonArray("levels").size());
    assertEquals(0, report.getAsJsonArray("levels").get(1).getAsJsonObject()
        .getAsJsonObject("student").get("errors").getAsLong());
    for (String f : List.of("report.md", "latency-cdf.png", "latency-cdf.svg",
        "throughput-p99.png", "textness-cat-teacher.png", "textness-cat-student.png")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    assertNotNull(ImageIO.read(out.resolve("textness-cat-student.png").toFile()));
  }
}
