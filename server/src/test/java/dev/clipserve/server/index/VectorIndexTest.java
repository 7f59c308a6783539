package dev.clipserve.server.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorIndexTest {
  private static final int DIM = 16;
  private static final Map<String, Integer> MODELS = Map.of("teacher-image", DIM, "student-image", DIM);

  @TempDir Path dir;

  private VectorIndex open() throws Exception {
    return VectorIndex.open(IndexConfig.defaults(dir), MODELS);
  }

  private static IndexedItem item(String id, float[] teacher, float[] student, Map<String, String> meta) {
    return new IndexedItem(id, Map.of("teacher-image", teacher, "student-image", student), meta);
  }

  private static IndexedItem item(Random rnd, String id, Map<String, String> meta) {
    return item(id, TestVectors.unit(rnd, DIM), TestVectors.unit(rnd, DIM), meta);
  }

  @Test
  void searchReturnsTheStoredVectorFirstWithItsMetadataAndDotProductScore() throws Exception {
    Random rnd = new Random(1);
    try (VectorIndex index = open()) {
      List<IndexedItem> items = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        items.add(item(rnd, "img-" + i, Map.of("label", "L" + i)));
      }
      assertEquals(50, index.upsert(items));
      float[] q = items.get(7).vectors().get("student-image");
      List<SearchHit> hits = index.search("student-image", q, 5, Map.of(), SearchMode.AUTO);
      assertEquals(5, hits.size());
      assertEquals("img-7", hits.get(0).id());
      assertEquals(1.0f, hits.get(0).score(), 1e-5);
      assertEquals(Map.of("label", "L7"), hits.get(0).metadata());
      assertEquals("student-image", hits.get(0).model());
      for (int i = 1; i < hits.size(); i++) {
        assertTrue(hits.get(i - 1).score() >= hits.get(i).score());
      }
    }
  }

  @Test
  void upsertReplacesAnItemById() throws Exception {
    Random rnd = new Random(2);
    try (VectorIndex index = open()) {
      index.upsert(List.of(item(rnd, "a", Map.of("v", "1")), item(rnd, "b", Map.of())));
      IndexedItem replacement = item(rnd, "a", Map.of("v", "2"));
      index.upsert(List.of(replacement));
      assertEquals(2, index.size());
      assertEquals(Map.of("v", "2"), index.metadata("a").orElseThrow());
      List<SearchHit> hits = index.search("teacher-image", replacement.vectors().get("teacher-image"), 1,
          Map.of(), SearchMode.EXACT);
      assertEquals("a", hits.get(0).id());
      assertEquals(1.0f, hits.get(0).score(), 1e-5);
    }
  }

  @Test
  void deleteRemovesItemsAndReportsWhichExisted() throws Exception {
    Random rnd = new Random(3);
    try (VectorIndex index = open()) {
      IndexedItem a = item(rnd, "a", Map.of());
      index.upsert(List.of(a, item(rnd, "b", Map.of())));
      assertEquals(Set.of("a"), index.delete(List.of("a", "nope")));
      assertEquals(1, index.size());
      assertTrue(index.metadata("a").isEmpty());
      List<SearchHit> hits = index.search("teacher-image", a.vectors().get("teacher-image"), 10, Map.of(),
          SearchMode.EXACT);
      assertEquals(List.of("b"), hits.stream().map(SearchHit::id).toList());
      assertEquals(List.of("b"), index.search("teacher-image", a.vectors().get("teacher-image"), 10, Map.of(),
          SearchMode.HNSW).stream().map(SearchHit::id).toList());
    }
  }

  @Test
  void exactScanAndHnswReturnTheSameHitsOnASmallSet() throws Exception {
    Random rnd = new Random(4);
    try (VectorIndex index = open()) {
      List<IndexedItem> items = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        items.add(item(rnd, "img-" + i, Map.of()));
      }
      index.upsert(items);
      for (int qi = 0; qi < 20; qi++) {
        float[] q = TestVectors.unit(rnd, DIM);
        List<SearchHit> exact = index.search("teacher-image", q, 10, Map.of(), SearchMode.EXACT);
        List<SearchHit> hnsw = index.search("teacher-image", q, 10, Map.of(), SearchMode.HNSW);
        assertEquals(exact.stream().map(SearchHit::id).toList(), hnsw.stream().map(SearchHit::id).toList());
        for (int i = 0; i < exact.size(); i++) {
          assertEquals(exact.get(i).score(), hnsw.get(i).score(), 1e-5);
        }
      }
    }
  }

  @Test
  void filterKeepsOnlyMatchingItemsInBothModes() throws Exception {
    Random rnd = new Random(5);
    try (VectorIndex index = open()) {
      List<IndexedItem> items = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        items.add(item(rnd, "img-" + i, Map.of("parity", i % 2 == 0 ? "even" : "odd", "n", "" + i)));
      }
      index.upsert(items);
      assertEquals(Set.of("n", "parity"), index.metadataFields());
      float[] q = TestVectors.unit(rnd, DIM);
      for (SearchMode mode : List.of(SearchMode.EXACT, SearchMode.HNSW)) {
        List<SearchHit> hits = index.search("teacher-image", q, 10, Map.of("parity", "odd"), mode);
        assertEquals(10, hits.size());
        assertTrue(hits.stream().allMatch(h -> h.metadata().get("parity").equals("odd")), mode.toString());
        assertEquals(List.of("img-3"), index.search("teacher-image", q, 10, Map.of("parity", "odd", "n", "3"), mode)
            .stream().map(SearchHit::id).toList());
      }
    }
  }

  @Test
  void rejectsABadBatchWithoutWritingAnyOfIt() throws Exception {
    Random rnd = new Random(6);
    try (VectorIndex index = open()) {
      IndexedItem good = item(rnd, "good", Map.of());
      IndexedItem wrongDim = item("bad", new float[] {1f}, TestVectors.unit(rnd, DIM), Map.of());
      var e = assertThrows(IllegalArgumentException.class, () -> index.upsert(List.of(good, wrongDim)));
      assertTrue(e.getMessage().startsWith("items[1].vectors[teacher-image]: dimension 1"), e.getMessage());

      float[] nan = TestVectors.unit(rnd, DIM);
      nan[3] = Float.NaN;
      assertThrows(IllegalArgumentException.class,
          () -> index.upsert(List.of(good, item("nan", nan, TestVectors.unit(rnd, DIM), Map.of()))));
      var dup = assertThrows(IllegalArgumentException.class, () -> index.upsert(List.of(good, good)));
      assertTrue(dup.getMessage().contains("items[1].id: duplicate"), dup.getMessage());
      assertThrows(IllegalArgumentException.class, () -> index.upsert(List.of(new IndexedItem("missing",
          Map.of("teacher-image", TestVectors.unit(rnd, DIM)), Map.of()))));
      float[] notUnit = TestVectors.unit(rnd, DIM);
      notUnit[0] += 1f;
      assertThrows(IllegalArgumentException.class,
          () -> index.upsert(List.of(item("nu", notUnit, TestVectors.unit(rnd, DIM), Map.of()))));
      assertEquals(0, index.size());
    }
  }

  @Test
  void reopeningFindsEveryAcknowledgedItem() throws Exception {
    Random rnd = new Random(7);
    Map<String, float[]> stored = new HashMap<>();
    try (VectorIndex index = open()) {
      for (int batch = 0; batch < 3; batch++) {
        List<IndexedItem> items = new ArrayList<>();
        for (int i = batch * 10; i < batch * 10 + 10; i++) {
          IndexedItem it = item(rnd, "img-" + i, Map.of("i", "" + i));
          items.add(it);
          stored.put(it.id(), it.vectors().get("teacher-image"));
        }
        index.upsert(items);
      }
      index.delete(List.of("img-0"));
    }
    try (VectorIndex index = open()) {
      assertEquals(29, index.size());
      IndexStats stats = index.stats();
      assertEquals(29, stats.items());
      assertEquals(Map.of("teacher-image", 29L, "student-image", 29L), stats.itemsPerModel());
      assertTrue(stats.bytesOnDisk() > 0);
      for (int i = 1; i < 30; i++) {
        float[] v = index.vector("img-" + i, "teacher-image").orElseThrow();
        assertEquals(stored.get("img-" + i)[5], v[5]);
      }
      assertFalse(index.vector("img-0", "teacher-image").isPresent());
    }
  }

  @Test
  void refusesToOpenWhenAModelsDimensionChanged() throws Exception {
    try (VectorIndex index = open()) {
      index.upsert(List.of(item(new Random(8), "a", Map.of())));
    }
    var e = assertThrows(IllegalStateException.class,
        () -> VectorIndex.open(IndexConfig.defaults(dir), Map.of("teacher-image", 8, "student-image", DIM)));
    assertTrue(e.getMessage().contains("teacher-image"), e.getMessage());
    try (VectorIndex index = open()) {
      assertEquals(1, index.size()); // the failed open released the lock and changed nothing
    }
  }

  @Test
  void concurrentWritersAndSearchersSeeConsistentResults() throws Exception {
    try (VectorIndex index = VectorIndex.open(IndexConfig.defaults(dir).withExactBelow(50), MODELS)) {
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
          int writer = w;
          futures.add(pool.submit(() -> {
            Random rnd = new Random(100 + writer);
            for (int batch = 0; batch < 8; batch++) {
              List<IndexedItem> items = new ArrayList<>();
              for (int i = 0; i < 5; i++) {
                items.add(item(rnd, "w" + writer + "-" + batch + "-" + i, Map.of("w", "" + writer)));
              }
              index.upsert(items);
            }
            return null;
          }));
        }
        for (int r = 0; r < 3; r++) {
          int reader = r;
          futures.add(pool.submit(() -> {
            Random rnd = new Random(200 + reader);
            for (int i = 0; i < 100; i++) {
              List<SearchHit> hits = index.search("teacher-image", TestVectors.unit(rnd, DIM), 5, Map.of(),
                  SearchMode.AUTO);
              assertTrue(hits.size() <= 5);
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(120, index.size());
      assertTrue(index.commitCount() <= 24, "at most one commit per acknowledged upsert");
    }
  }
}
