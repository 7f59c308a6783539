package dev.clipserve.server.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipserve.server.index.IndexConfig;
import dev.clipserve.server.index.IndexedItem;
import dev.clipserve.server.index.SearchHit;
import dev.clipserve.server.index.VectorIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchEngineTest {
  private static final int DIM = 16;
  private static final String MODEL = "teacher-image";

  @TempDir Path tmp;

  private final Random rnd = new Random(11);
  private final float[] b = unit(rnd);
  private final List<IndexedItem> items = new ArrayList<>();

  private static float[] unit(Random rnd) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return VectorMath.normalized(v);
  }

  /** 200 items; even ids "have text": their vector leans towards b. */
  private SearchEngine engine(int exactBelow, boolean withTextness) throws Exception {
    Path shipped = Files.createDirectories(tmp.resolve("shipped"));
    if (withTextness) {
      Files.writeString(shipped.resolve("space.json"), TextnessStore.toJson(
          TextnessVector.fromRaw("space", 1, VectorMath.scaled(b, 3f), "teacher", null, null)));
    }
    VectorIndex index = VectorIndex.open(IndexConfig.defaults(tmp.resolve("index")).withExactBelow(exactBelow),
        Map.of(MODEL, DIM));
    for (int i = 0; i < 200; i++) {
      boolean text = i % 2 == 0;
      float[] v = VectorMath.normalized(VectorMath.plusScaled(unit(rnd), text ? 0.7f : -0.7f, b));
      items.add(new IndexedItem("img-" + i, Map.of(MODEL, v), Map.of("has_text", "" + text)));
    }
    index.upsert(items);
    return new SearchEngine("space", index, new TextnessStore(shipped, tmp.resolve("data")),
        SearchEngine.Limits.defaults());
  }

  private List<String> bruteForce(Comparator<IndexedItem> order, int k) {
    return items.stream().sorted(order).limit(k).map(IndexedItem::id).toList();
  }

  private static List<String> ids(List<SearchHit> hits) {
    return hits.stream().map(SearchHit::id).toList();
  }

  private SearchEngine.Query query(float[] t, int k, double s, TextnessTarget target) {
    return new SearchEngine.Query(MODEL, t, k, s, target, Map.of(), 0);
  }

  @Test
  void queryTextnessRanksExactlyLikeTextScorePlusScaledBiasScore() throws Exception {
    for (int exactBelow : new int[] {Integer.MAX_VALUE, 0}) { // flat, then HNSW
      items.clear();
      try (SearchEngine engine = engine(exactBelow, true)) {
        float[] t = unit(new Random(5));
        for (double s : new double[] {-2, -1, -0.3, 0, 0.5, 1, 2}) {
          List<String> expected = bruteForce(Comparator.comparingDouble(
              (IndexedItem it) -> -(VectorMath.dot(t, it.vectors().get(MODEL))
                  + s * VectorMath.dot(b, it.vectors().get(MODEL)))), 10);
          assertEquals(expected, ids(engine.search(query(t, 10, s, TextnessTarget.QUERY))),
              "scale " + s + ", exactBelow " + exactBelow);
        }
      }
      tmp = Files.createDirectories(tmp.resolve("next"));
    }
  }

  @Test
  void positiveScaleReturnsTextImagesAndNegativeScaleImagesWithout() throws Exception {
    try (SearchEngine engine = engine(Integer.MAX_VALUE, true)) {
      float[] t = unit(new Random(6));
      double[] fraction = new double[5];
      for (int s = -2; s <= 2; s++) {
        List<SearchHit> hits = engine.search(query(t, 10, s, TextnessTarget.QUERY));
        fraction[s + 2] = hits.stream().filter(h -> h.metadata().get("has_text").equals("true")).count() / 10.0;
      }
      assertEquals(0.0, fraction[0]);
      assertEquals(1.0, fraction[4]);
      for (int i = 1; i < 5; i++) {
        assertTrue(fraction[i] >= fraction[i - 1], java.util.Arrays.toString(fraction));
      }
    }
  }

  @Test
  void imageSideTextnessOnTheFlatIndexIsExact() throws Exception {
    try (SearchEngine engine = engine(Integer.MAX_VALUE, true)) {
      float[] t = unit(new Random(7));
      for (double s : new double[] {-2, 1.5}) {
        List<String> expected = bruteForce(Comparator.comparingDouble((IndexedItem it) -> -VectorMath.dot(t,
            VectorMath.normalized(VectorMath.plusScaled(it.vectors().get(MODEL), (float) s, b)))), 10);
        List<SearchHit> hits = engine.search(query(t, 10, s, TextnessTarget.IMAGES));
        assertEquals(expected, ids(hits));
      }
    }
  }

  @Test
  void imageSideTextnessOnHnswRescoresACandidatePool() throws Exception {
    try (SearchEngine engine = engine(0, true)) {
      float[] t = unit(new Random(8));
      double s = 1.0;
      List<String> expected = bruteForce(Comparator.comparingDouble((IndexedItem it) -> -VectorMath.dot(t,
          VectorMath.normalized(VectorMath.plusScaled(it.vectors().get(MODEL), (float) s, b)))), 10);
      // A pool as large as the index makes the approximation exact.
      assertEquals(expected, ids(engine.search(
          new SearchEngine.Query(MODEL, t, 10, s, TextnessTarget.IMAGES, Map.of(), 200))));
    }
  }

  @Test
  void badInputIsRefusedNamingTheField() throws Exception {
    try (SearchEngine engine = engine(Integer.MAX_VALUE, false)) {
      float[] t = unit(new Random(9));
      assertInvalid("textness_scale", () -> engine.search(query(t, 10, Double.NaN, TextnessTarget.QUERY)));
      assertInvalid("textness_scale",
          () -> engine.search(query(t, 10, Double.POSITIVE_INFINITY, TextnessTarget.QUERY)));
      assertInvalid("top_k", () -> engine.search(query(t, 0, 0, TextnessTarget.QUERY)));
      assertInvalid("top_k", () -> engine.search(query(t, 1001, 0, TextnessTarget.QUERY)));
      assertInvalid("query", () -> engine.search(query(new float[] {1f, 2f}, 10, 0, TextnessTarget.QUERY)));
      float[] nan = t.clone();
      nan[2] = Float.NaN;
      assertInvalid("query", () -> engine.search(query(nan, 10, 0, TextnessTarget.QUERY)));
      assertInvalid("query", () -> engine.search(query(new float[DIM], 10, 0, TextnessTarget.QUERY)));
      assertInvalid("filter[color]", () -> engine.search(
          new SearchEngine.Query(MODEL, t, 10, 0, TextnessTarget.QUERY, Map.of("color", "red"), 0)));
      var unknown = assertThrows(SearchRequestException.class,
          () -> engine.search(new SearchEngine.Query("nope", t, 10, 0, null, null, 0)));
      assertEquals(SearchRequestException.Kind.NOT_FOUND, unknown.kind());
      var noVector = assertThrows(SearchRequestException.class,
          () -> engine.search(query(t, 10, 1, TextnessTarget.QUERY)));
      assertEquals(SearchRequestException.Kind.FAILED_PRECONDITION, noVector.kind());

      IndexedItem a = items.get(0);
      assertInvalid("items[1]", () -> engine.index(List.of(a, a)));
      assertInvalid("ids[1]", () -> engine.delete(List.of("x", "x")));
      assertInvalid("ids", () -> engine.delete(List.of()));
      assertEquals(200, engine.index().size()); // nothing half-written
      assertEquals(10, engine.search(query(t, 10, 0, TextnessTarget.QUERY)).size()); // still serving
    }
  }

  @Test
  void trainingStoresANewVersionThatLaterSearchesUse() throws Exception {
    try (SearchEngine engine = engine(Integer.MAX_VALUE, false)) {
      List<float[]> xs = items.stream().map(it -> it.vectors().get(MODEL)).toList();
      List<Boolean> ys = IntStream.range(0, items.size()).mapToObj(i -> i % 2 == 0).toList();
      SearchEngine.Training tr = engine.trainTextness(xs, ys, "teacher", TextnessTrainer.Options.defaults());
      assertTrue(tr.fit().valAccuracy() > 0.9, "val accuracy " + tr.fit().valAccuracy());
      assertEquals(1, tr.stored().version());
      assertTrue(VectorMath.dot(tr.stored().unitVector(), b) > 0.7);
      List<SearchHit> hits = engine.search(query(unit(new Random(10)), 10, 2, TextnessTarget.QUERY));
      assertTrue(hits.stream().allMatch(h -> h.metadata().get("has_text").equals("true")));
    }
  }

  private static void assertInvalid(String field, org.junit.jupiter.api.function.Executable call) {
    var e = assertThrows(SearchRequestException.class, call);
    assertEquals(SearchRequestException.Kind.INVALID_ARGUMENT, e.kind(), e.getMessage());
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
  }
}
