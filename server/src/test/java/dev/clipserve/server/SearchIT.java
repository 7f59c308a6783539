package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import dev.clipserve.api.v1.DeleteImagesRequest;
import dev.clipserve.api.v1.DeleteImagesResponse;
import dev.clipserve.api.v1.Embedding;
import dev.clipserve.api.v1.GetIndexStatsRequest;
import dev.clipserve.api.v1.GetIndexStatsResponse;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.IndexImagesRequest;
import dev.clipserve.api.v1.IndexImagesResponse;
import dev.clipserve.api.v1.IndexItem;
import dev.clipserve.api.v1.LabeledExample;
import dev.clipserve.api.v1.SearchRequest;
import dev.clipserve.api.v1.SearchResponse;
import dev.clipserve.api.v1.SearchResult;
import dev.clipserve.api.v1.SearchServiceGrpc;
import dev.clipserve.api.v1.TextnessTarget;
import dev.clipserve.api.v1.TrainTextnessRequest;
import dev.clipserve.api.v1.TrainTextnessResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SearchService end to end, in process: indexing through the real encoders, search by text /
 * image / vector, textness, training, deletes and every bad input's status. The mechanics run on the
 * tiny random-weight test models; the textness and teacher-vs-student checks run on the trained demo
 * models in {@code models/} with their held-out {@code models/eval/} set (skipped until they exist).
 */
class SearchIT {
  /** The shipped demo repository (repository root, seen from the server module). */
  static final Path DEMO_MODELS = Path.of("../models");
  /** Teacher vs student top-10 overlap over the 12 class queries must reach this (stated threshold). */
  static final double MIN_STUDENT_RECALL_AT_10 = 0.5;

  @TempDir Path data;

  private static ByteString png(Color color, int seed) throws IOException {
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, 40, 30);
    Random r = new Random(seed);
    g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
    g.fillOval(r.nextInt(20), r.nextInt(15), 15, 12);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return ByteString.copyFrom(out.toByteArray());
  }

  private static IndexItem item(String id, ByteString png, Map<String, String> meta) {
    return IndexItem.newBuilder().setId(id).setImage(Image.newBuilder().setEncoded(png)).putAllMetadata(meta).build();
  }

  private static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  private static String description(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getDescription();
  }

  @Test
  void indexesSearchesTrainsAndDeletesOnTheTinyModels() throws Exception {
    try (TestServer ts = TestServer.start(ServerConfig.defaults(TestServer.MODELS).withDataDir(data))) {
      var stub = SearchServiceGrpc.newBlockingStub(ts.channel);
      List<IndexItem> items = new ArrayList<>();
      Color[] colors = {Color.RED, Color.GREEN, Color.BLUE, Color.WHITE, Color.BLACK, Color.ORANGE};
      for (int i = 0; i < 12; i++) {
        items.add(item("img-" + i, png(colors[i % colors.length], i),
            Map.of("color", "c" + (i % colors.length), "has_text", i % 2 == 0 ? "true" : "false")));
      }
      items.add(5, item("broken", ByteString.copyFromUtf8("not an image"), Map.of()));
      IndexImagesResponse indexed = stub.indexImages(IndexImagesRequest.newBuilder().addAllItems(items).build());
      assertEquals("tiny-clip", indexed.getEmbeddingSpace());
      assertEquals(List.of("tiny-student-image", "tiny-teacher-image"), indexed.getModelsList());
      assertEquals(13, indexed.getResultsCount());
      assertFalse(indexed.getResults(5).getIndexed());
      assertEquals(3, indexed.getResults(5).getStatusCode());
      assertTrue(indexed.getResults(5).getStatusMessage().startsWith("items[5].image.encoded:"),
          indexed.getResults(5).getStatusMessage());
      assertEquals(12, indexed.getResultsList().stream().filter(r -> r.getIndexed()).count());

      GetIndexStatsResponse stats = stub.getIndexStats(GetIndexStatsRequest.getDefaultInstance());
      assertEquals(12, stats.getItems());
      assertEquals(Map.of("tiny-student-image", 12L, "tiny-teacher-image", 12L), stats.getItemsPerModelMap());
      assertTrue(stats.getBytesOnDisk() > 0);
      assertEquals(0, stats.getTextnessVersion());

      SearchResponse byText = stub.search(SearchRequest.newBuilder().setText("cat").setTopK(5).build());
      assertEquals("tiny-teacher-image", byText.getModel());
      assertEquals("tiny-teacher-text", byText.getQueryModel());
      assertEquals(5, byText.getResultsCount());
      for (int i = 1; i < 5; i++) {
        assertTrue(byText.getResults(i - 1).getScore() >= byText.getResults(i).getScore());
      }
      SearchResponse byImage = stub.search(SearchRequest.newBuilder().setModel("student")
          .setImage(items.get(3).getImage()).setTopK(3).build());
      assertEquals("tiny-student-image", byImage.getModel());
      assertEquals("img-3", byImage.getResults(0).getId());
      assertEquals(1.0f, byImage.getResults(0).getScore(), 1e-4);
      assertEquals("c3", byImage.getResults(0).getMetadataMap().get("color"));

      SearchResponse filtered = stub.search(SearchRequest.newBuilder().setText("cat").setTopK(10)
          .putFilter("color", "c1").build());
      assertEquals(Set.of("img-1", "img-7"), ids(filtered));

      // No textness vector ships with the tiny models: a non-zero scale needs one.
      assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> stub.search(
          SearchRequest.newBuilder().setText("cat").setTopK(5).setTextnessScale(1).build())));
      TrainTextnessRequest.Builder train = TrainTextnessRequest.newBuilder().setValidationFraction(0.25);
      for (int i = 0; i < 12; i++) {
        train.addExamples(LabeledExample.newBuilder().setId("img-" + i).setHasText(i % 2 == 0));
      }
      train.addExamples(LabeledExample.newBuilder().setImage(items.get(0).getImage()).setHasText(true));
      TrainTextnessResponse trained = stub.trainTextness(train.build());
      assertEquals(1, trained.getVersion());
      assertEquals("tiny-teacher-image", trained.getTrainedOn());
      // 7 with text, 6 without; a quarter of each class (rounded down) is held out
      assertEquals(11, trained.getTrainCount());
      assertEquals(2, trained.getValidationCount());
      assertTrue(trained.getTrainAccuracy() >= 0 && trained.getTrainAccuracy() <= 1);
      assertTrue(Files.exists(data.resolve("textness/tiny-clip.v1.json")));
      SearchResponse shifted = stub.search(SearchRequest.newBuilder().setText("cat").setTopK(5)
          .setTextnessScale(1.5).setTextnessTarget(TextnessTarget.TEXTNESS_TARGET_IMAGES).build());
      assertEquals(1, shifted.getTextnessVersion());
      assertEquals(5, shifted.getResultsCount());
      assertEquals(1, stub.getIndexStats(GetIndexStatsRequest.getDefaultInstance()).getTextnessVersion());

      DeleteImagesResponse deleted = stub.deleteImages(DeleteImagesRequest.newBuilder()
          .addIds("img-0").addIds("nope").build());
      assertEquals(List.of("img-0"), deleted.getDeletedIdsList());
      assertEquals(List.of("nope"), deleted.getMissingIdsList());
      assertEquals(11, stub.getIndexStats(GetIndexStatsRequest.getDefaultInstance()).getItems());
    }
  }

  @Test
  void refusesBadInputNamingTheFieldAndKeepsServing() throws Exception {
    try (TestServer ts = TestServer.start(ServerConfig.defaults(TestServer.MODELS).withDataDir(data))) {
      var stub = SearchServiceGrpc.newBlockingStub(ts.channel);
      ByteString img = png(Color.RED, 1);
      stub.indexImages(IndexImagesRequest.newBuilder().addItems(item("a", img, Map.of("k", "v"))).build());
      SearchRequest ok = SearchRequest.newBuilder().setText("cat").setTopK(3).build();

      assertTrue(description(() -> stub.search(ok.toBuilder().setTopK(0).build())).startsWith("top_k:"));
      assertTrue(description(() -> stub.search(ok.toBuilder().setTopK(100_000).build())).startsWith("top_k:"));
      assertTrue(description(() -> stub.search(ok.toBuilder().setTextnessScale(Double.NaN).build()))
          .startsWith("textness_scale:"));
      assertTrue(description(() -> stub.search(ok.toBuilder().setTextnessScale(Double.NEGATIVE_INFINITY).build()))
          .startsWith("textness_scale:"));
      assertTrue(description(() -> stub.search(ok.toBuilder().setText("  ").build())).startsWith("text:"));
      assertTrue(description(() -> stub.search(SearchRequest.newBuilder().setTopK(3).build())).startsWith("query:"));
      assertTrue(description(() -> stub.search(ok.toBuilder().putFilter("colour", "red").build()))
          .startsWith("filter[colour]:"));
      assertTrue(description(() -> stub.search(SearchRequest.newBuilder().setTopK(3)
          .setVector(Embedding.newBuilder().addValues(1f).addValues(0f)).build())).startsWith("vector:"));
      assertTrue(description(() -> stub.search(SearchRequest.newBuilder().setTopK(3)
          .setVector(Embedding.newBuilder().addAllValues(java.util.Collections.nCopies(32, Float.NaN))).build()))
          .startsWith("vector:"));
      assertEquals(Status.Code.NOT_FOUND, code(() -> stub.search(ok.toBuilder().setModel("nope").build())));
      assertEquals(Status.Code.NOT_FOUND, code(() -> stub.search(ok.toBuilder().setEmbeddingSpace("nope").build())));
      for (Runnable bad : List.<Runnable>of(
          () -> stub.search(ok.toBuilder().setTopK(-1).build()),
          () -> stub.indexImages(IndexImagesRequest.newBuilder()
              .addItems(item("d", img, Map.of())).addItems(item("d", img, Map.of())).build()),
          () -> stub.indexImages(IndexImagesRequest.getDefaultInstance()),
          () -> stub.deleteImages(DeleteImagesRequest.newBuilder().addIds("x").addIds("x").build()),
          () -> stub.trainTextness(TrainTextnessRequest.newBuilder()
              .addExamples(LabeledExample.newBuilder().setId("missing").setHasText(true)).build()))) {
        assertEquals(Status.Code.INVALID_ARGUMENT, code(bad));
      }
      assertTrue(description(() -> stub.indexImages(IndexImagesRequest.newBuilder()
          .addItems(item("d", img, Map.of())).addItems(item("d", img, Map.of())).build())).startsWith("items[1]:"));
      // nothing half-written, and still serving
      assertEquals(1, stub.getIndexStats(GetIndexStatsRequest.getDefaultInstance()).getItems());
      assertEquals("a", stub.search(ok).getResults(0).getId());
    }
  }

  private static Set<String> ids(SearchResponse r) {
    Set<String> s = new HashSet<>();
    r.getResultsList().forEach(h -> s.add(h.getId()));
    return s;
  }

  /**
   * On the trained demo models: index the held-out set, search each class name at scales -2..2, and
   * check that the share of top-10 results with text rises with the scale; compare teacher and
   * student top-10s.
   */
  @Test
  void textnessScaleMovesDemoResultsFromDrawingsToWords() throws Exception {
    Path eval = DEMO_MODELS.resolve("eval/labels.jsonl");
    Assumptions.assumeTrue(Files.exists(eval), "demo models not trained yet (no models/eval)");
    try (TestServer ts = TestServer.start(ServerConfig.defaults(DEMO_MODELS).withDataDir(data))) {
      var stub = SearchServiceGrpc.newBlockingStub(ts.channel);
      Map<String, JsonObject> labels = new LinkedHashMap<>();
      List<IndexItem> batch = new ArrayList<>();
      for (String line : Files.readAllLines(eval)) {
        if (line.isBlank()) {
          continue;
        }
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        String id = o.get("file").getAsString().replaceFirst("\\.png$", "");
        labels.put(id, o);
        batch.add(item(id, ByteString.copyFrom(Files.readAllBytes(eval.resolveSibling(o.get("file").getAsString()))),
            Map.of("class", o.get("class").isJsonNull() ? "" : o.get("class").getAsString(),
                "has_text", o.get("has_text").getAsString(),
                "text", o.get("text").isJsonNull() ? "" : o.get("text").getAsString())));
        if (batch.size() == 64) {
          index(stub, batch);
        }
      }
      index(stub, batch);
      assertEquals(labels.size(), stub.getIndexStats(GetIndexStatsRequest.getDefaultInstance()).getItems());

      String[] classes = labels.values().stream().map(o -> o.get("class"))
          .filter(c -> !c.isJsonNull() && !c.getAsString().isEmpty()).map(c -> c.getAsString())
          .distinct().sorted().toArray(String[]::new);
      double[] meanText = new double[5];
      double[] catText = new double[5];
      for (int s = -2; s <= 2; s++) {
        for (String cls : classes) {
          SearchResponse r = stub.search(SearchRequest.newBuilder().setText(cls).setTopK(10).setTextnessScale(s).build());
          double frac = r.getResultsList().stream()
              .filter(h -> h.getMetadataMap().get("has_text").equals("true")).count() / 10.0;
          meanText[s + 2] += frac / classes.length;
          if (cls.equals("cat")) {
            catText[s + 2] = frac;
            System.out.printf("SearchIT demo: \"cat\" s=%+d text fraction %.1f: %s%n", s, frac,
                r.getResultsList().stream().map(h -> h.getId() + "(" + h.getMetadataMap().get("class") + ","
                    + h.getMetadataMap().get("text") + ")").toList());
          }
        }
      }
      System.out.printf("SearchIT demo: mean text fraction over %d class queries at s=-2..2: %s; cat: %s%n",
          classes.length, java.util.Arrays.toString(meanText), java.util.Arrays.toString(catText));
      for (int i = 1; i < 5; i++) {
        assertTrue(meanText[i] >= meanText[i - 1] - 1e-9, "mean text fraction must not fall with the scale: "
            + java.util.Arrays.toString(meanText));
      }
      assertTrue(meanText[4] - meanText[0] >= 0.5, java.util.Arrays.toString(meanText));
      assertTrue(catText[4] > catText[0], java.util.Arrays.toString(catText));

      double overlap = 0;
      for (String cls : classes) {
        Set<String> teacher = ids(stub.search(SearchRequest.newBuilder().setText(cls).setTopK(10).build()));
        Set<String> student = ids(stub.search(SearchRequest.newBuilder().setText(cls).setTopK(10)
            .setModel("student").build()));
        student.retainAll(teacher);
        overlap += student.size() / 10.0 / classes.length;
      }
      System.out.printf("SearchIT demo: student recall@10 vs teacher over %d class queries: %.3f%n", classes.length,
          overlap);
      assertTrue(overlap >= MIN_STUDENT_RECALL_AT_10, "student recall@10 vs teacher " + overlap);
    }
  }

  private static void index(SearchServiceGrpc.SearchServiceBlockingStub stub, List<IndexItem> batch) {
    if (batch.isEmpty()) {
      return;
    }
    IndexImagesResponse r = stub.indexImages(IndexImagesRequest.newBuilder().addAllItems(batch).build());
    for (var res : r.getResultsList()) {
      assertTrue(res.getIndexed(), res.getId() + ": " + res.getStatusMessage());
    }
    batch.clear();
  }

  static List<String> hitIds(List<SearchResult> hits) {
    return hits.stream().map(SearchResult::getId).toList();
  }
}
