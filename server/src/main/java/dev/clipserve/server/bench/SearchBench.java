package dev.clipserve.server.bench;

import com.google.gson.GsonBuilder;
import dev.clipserve.server.index.IndexConfig;
import dev.clipserve.server.index.IndexStats;
import dev.clipserve.server.index.IndexedItem;
import dev.clipserve.server.index.SearchHit;
import dev.clipserve.server.index.SearchMode;
import dev.clipserve.server.index.VectorIndex;
import dev.clipserve.server.index.VectorScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * {@code clipserve-bench search}: builds Lucene HNSW indexes of synthetic unit vectors and measures
 * build time, query latency (p50/p99, k=10, one query at a time) and recall@10 against the exact scan,
 * without and with a textness scale (query side; image side with a candidate pool), for several
 * {@code efSearch} values (wall time and the querying thread's CPU time, which excludes waiting for
 * a core on a shared machine); plus durable single-item upserts with and without concurrent writers
 * (group commit). Writes {@code target/bench/search.json}.
 *
 * <p>Options ({@code --name value}): {@code sizes} (default 100000), {@code dims} (128,512),
 * {@code distribution} clustered|uniform (clustered), {@code queries} (200), {@code ef}
 * (50,100,200,400), {@code m} (16), {@code beam} (100), {@code threads} (indexing threads, 1: one
 * segment, no merge; more threads make a segment each, then a force-merge),
 * {@code scale} (textness scale, 1.0), {@code pool} (image-side pool, 200), {@code out}
 * (target/bench/search.json), {@code dir} (a temp folder; deleted after), {@code commit-items} (200;
 * 0 skips the commit test).
 *
 * <p>The "clustered" distribution is closer to real embedding sets than "uniform": 1024 random
 * centers, each vector {@code normalize(center + 0.6 * P z + 0.05 * g)} with {@code z} a 48-d Gaussian
 * and {@code P} a fixed random {@code dim x 48} map (intrinsic dimension ~48); queries are drawn the
 * same way. "uniform" (isotropic Gaussian, normalized) is HNSW's worst case at high dimension.
 */
public final class SearchBench {
  private static final String MODEL = "bench";
  private static final int K = 10;
  /** Per-query CPU time (excludes waiting for a core: the machine this runs on is often shared). */
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private SearchBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("--sizes", "100000");
    defaults.put("--dims", "128,512");
    defaults.put("--ef", "50,100,200,400");
    defaults.put("--distribution", "clustered");
    defaults.put("--queries", "200");
    defaults.put("--m", "16");
    defaults.put("--beam", "100");
    defaults.put("--threads", "1");
    defaults.put("--scale", "1.0");
    defaults.put("--pool", "200");
    defaults.put("--commit-items", "200");
    defaults.put("--out", "target/bench/search.json");
    defaults.put("--dir", ""); // empty: a temporary folder
    BenchOptions opts = BenchOptions.parse(args, defaults);
    List<Integer> sizes = ints(opts.getInts("--sizes"));
    List<Integer> dims = ints(opts.getInts("--dims"));
    List<Integer> efs = ints(opts.getInts("--ef"));
    String distribution = opts.get("--distribution");
    int queries = opts.getInt("--queries");
    int m = opts.getInt("--m");
    int beam = opts.getInt("--beam");
    int threads = opts.getInt("--threads");
    float scale = (float) opts.getDouble("--scale");
    int pool = opts.getInt("--pool");
    int commitItems = opts.getInt("--commit-items");
    Path out = Path.of(opts.get("--out"));
    Path base = opts.get("--dir").isEmpty() ? Files.createTempDirectory("clipserve-bench") : Path.of(opts.get("--dir"));

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("machine", Map.of(
        "cores", Runtime.getRuntime().availableProcessors(),
        "max_heap_mb", Runtime.getRuntime().maxMemory() >> 20,
        "java", System.getProperty("java.version"),
        "os", System.getProperty("os.name") + " " + System.getProperty("os.arch")));
    report.put("settings", Map.of("k", K, "hnsw_max_conn", m, "hnsw_beam_width", beam, "index_threads", threads,
        "queries", queries, "distribution", distribution, "textness_scale", scale, "image_side_pool", pool,
        "similarity", "DOT_PRODUCT on unit vectors", "lucene", org.apache.lucene.util.Version.LATEST.toString()));
    List<Object> runs = new ArrayList<>();
    report.put("runs", runs);
    try {
      for (int dim : dims) {
        for (int n : sizes) {
          runs.add(run(base.resolve("idx-" + n + "-" + dim), n, dim, distribution, queries, efs, m, beam, threads,
              scale, pool));
          BenchOptions.writeJson(out, report);
        }
      }
      if (commitItems > 0) {
        report.put("durable_upserts", commitBench(base.resolve("commits"), commitItems));
      }
      BenchOptions.writeJson(out, report);
      System.out.println("wrote " + out.toAbsolutePath());
    } finally {
      deleteTree(base);
    }
  }

  private static Map<String, Object> run(Path dir, int n, int dim, String distribution, int queries,
      List<Integer> efs, int m, int beam, int threads, float scale, int pool) throws Exception {
    System.out.printf("== n=%d dim=%d (%s)%n", n, dim, distribution);
    Generator gen = new Generator(dim, distribution, 42);
    IndexConfig cfg = IndexConfig.defaults(dir).withExactBelow(0).withHnsw(m, beam, 100)
        .withRamBufferMb(1024).withMergeWorkers(threads);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("n", n);
    r.put("dim", dim);
    r.put("distribution", distribution);
    try (VectorIndex index = VectorIndex.open(cfg, Map.of(MODEL, dim))) {
      long t0 = System.nanoTime();
      ExecutorService exec = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Long>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int from = (int) ((long) n * t / threads);
          int to = (int) ((long) n * (t + 1) / threads);
          parts.add(exec.submit(() -> index.bulkLoad(() -> gen.items(from, to))));
        }
        for (Future<Long> f : parts) {
          f.get();
        }
      } finally {
        exec.shutdown();
      }
      double indexS = (System.nanoTime() - t0) / 1e9;
      int segmentsBefore = index.stats().segments();
      long t1 = System.nanoTime();
      index.forceMerge(1);
      double mergeS = (System.nanoTime() - t1) / 1e9;
      IndexStats stats = index.stats();
      r.put("index_s", round(indexS));
      r.put("segments_before_merge", segmentsBefore);
      r.put("force_merge_s", round(mergeS));
      r.put("build_s", round(indexS + mergeS));
      r.put("bytes_on_disk", stats.bytesOnDisk());
      System.out.printf("  indexed in %.1fs (%d segments), merged in %.1fs%n", indexS, segmentsBefore, mergeS);

      Random qr = new Random(7);
      float[][] qs = new float[queries][];
      for (int i = 0; i < queries; i++) {
        qs[i] = gen.query(qr);
      }
      float[] b = gen.query(new Random(99)); // a fixed "textness" direction
      float[][] shifted = new float[queries][];
      for (int i = 0; i < queries; i++) {
        shifted[i] = normalize(plus(qs[i], scale, b));
      }
      // Ground truth: the exact scan.
      Histogram exactH = hist();
      List<Set<String>> truth = new ArrayList<>();
      List<Set<String>> truthShifted = new ArrayList<>();
      List<Set<String>> truthImages = new ArrayList<>();
      for (int i = 0; i < queries; i++) {
        long s = System.nanoTime();
        truth.add(ids(index.search(MODEL, qs[i], K, Map.of(), SearchMode.EXACT)));
        exactH.recordValue(Math.max(1, (System.nanoTime() - s) / 1000));
        truthShifted.add(ids(index.search(MODEL, shifted[i], K, Map.of(), SearchMode.EXACT)));
        truthImages.add(ids(index.searchRescored(MODEL, List.of(), 0, K, Map.of(), SearchMode.EXACT,
            imageSide(qs[i], b, scale))));
      }
      r.put("exact_scan_p50_ms", ms(exactH.getValueAtPercentile(50)));
      r.put("exact_scan_p99_ms", ms(exactH.getValueAtPercentile(99)));
      List<Object> results = new ArrayList<>();
      for (int ef : efs) {
        results.add(measure("none", ef, queries, truth,
            i -> index.search(MODEL, qs[i], K, Map.of(), SearchMode.HNSW, ef)));
        results.add(measure("query s=" + scale, ef, queries, truthShifted,
            i -> index.search(MODEL, shifted[i], K, Map.of(), SearchMode.HNSW, ef)));
      }
      results.add(measure("images s=" + scale + " pool=" + pool, pool, queries, truthImages,
          i -> index.searchRescored(MODEL, List.of(qs[i], shifted[i]), pool, K, Map.of(), SearchMode.HNSW,
              imageSide(qs[i], b, scale))));
      r.put("results", results);
    }
    deleteTree(dir);
    return r;
  }

  @FunctionalInterface
  private interface Search {
    List<SearchHit> run(int queryIndex) throws IOException;
  }

  private static Map<String, Object> measure(String textness, int ef, int queries, List<Set<String>> truth,
      Search search) throws IOException {
    for (int i = 0; i < Math.min(50, queries); i++) {
      search.run(i); // warm-up
    }
    Histogram h = hist();
    Histogram cpu = hist();
    double recall = 0;
    for (int i = 0; i < queries; i++) {
      long c = THREADS.getCurrentThreadCpuTime();
      long s = System.nanoTime();
      List<SearchHit> hits = search.run(i);
      h.recordValue(Math.max(1, (System.nanoTime() - s) / 1000));
      cpu.recordValue(Math.max(1, (THREADS.getCurrentThreadCpuTime() - c) / 1000));
      Set<String> got = ids(hits);
      got.retainAll(truth.get(i));
      recall += got.size() / (double) truth.get(i).size();
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("textness", textness);
    r.put(textness.startsWith("images") ? "pool" : "ef_search", ef);
    r.put("p50_ms", ms(h.getValueAtPercentile(50)));
    r.put("p99_ms", ms(h.getValueAtPercentile(99)));
    r.put("cpu_p50_ms", ms(cpu.getValueAtPercentile(50)));
    r.put("cpu_p99_ms", ms(cpu.getValueAtPercentile(99)));
    r.put("recall_at_10", round(recall / queries));
    System.out.printf("  %-22s ef/pool=%-4d p50=%.2fms p99=%.2fms cpu p50=%.2fms p99=%.2fms recall@10=%.3f%n",
        textness, ef, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        cpu.getValueAtPercentile(50) / 1000.0, cpu.getValueAtPercentile(99) / 1000.0, recall / queries);
    return r;
  }

  /** Single-item durable upserts: one writer, then 8 concurrent writers sharing commits. */
  private static Map<String, Object> commitBench(Path dir, int items) throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    Generator gen = new Generator(128, "uniform", 1);
    for (int writers : new int[] {1, 8}) {
      Path d = dir.resolve("w" + writers);
      try (VectorIndex index = VectorIndex.open(IndexConfig.defaults(d), Map.of(MODEL, 128))) {
        long c0 = index.commitCount();
        long t0 = System.nanoTime();
        ExecutorService exec = Executors.newFixedThreadPool(writers);
        try {
          List<Future<?>> fs = new ArrayList<>();
          for (int w = 0; w < writers; w++) {
            int from = items * w / writers;
            int to = items * (w + 1) / writers;
            fs.add(exec.submit(() -> {
              for (int i = from; i < to; i++) {
                index.upsert(List.of(gen.item(i)));
              }
              return null;
            }));
          }
          for (Future<?> f : fs) {
            f.get();
          }
        } finally {
          exec.shutdown();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        long commits = index.commitCount() - c0;
        r.put(writers + "_writers", Map.of("items", items, "seconds", round(s), "items_per_s", round(items / s),
            "commits", commits, "ms_per_commit", round(s * 1000 / commits)));
        System.out.printf("  durable upserts, %d writers: %.0f items/s, %d commits%n", writers, items / s, commits);
      }
    }
    deleteTree(dir);
    return r;
  }

  static VectorScorer imageSide(float[] t, float[] b, float s) {
    return v -> {
      double num = 0;
      double sq = 0;
      for (int i = 0; i < v.length; i++) {
        double x = v[i] + (double) s * b[i];
        num += t[i] * x;
        sq += x * x;
      }
      return (float) (num / Math.sqrt(sq));
    };
  }

  /** Deterministic synthetic vectors: item i depends only on (seed, i). */
  static final class Generator {
    private final int dim;
    private final boolean clustered;
    private final long seed;
    private final float[][] centers;
    private final float[][] basis; // 48 directions of length dim

    Generator(int dim, String distribution, long seed) {
      this.dim = dim;
      this.clustered = distribution.equals("clustered");
      if (!clustered && !distribution.equals("uniform")) {
        throw new IllegalArgumentException("distribution must be clustered or uniform");
      }
      this.seed = seed;
      Random r = new Random(seed);
      centers = new float[1024][];
      for (int i = 0; i < centers.length; i++) {
        centers[i] = normalize(gaussian(r, dim, 1));
      }
      basis = new float[48][];
      for (int i = 0; i < basis.length; i++) {
        basis[i] = gaussian(r, dim, (float) (1 / Math.sqrt(dim)));
      }
    }

    float[] vector(SplittableRandom r) {
      if (!clustered) {
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
          v[d] = (float) r.nextGaussian();
        }
        return normalize(v);
      }
      float[] v = centers[r.nextInt(centers.length)].clone();
      for (float[] p : basis) {
        float z = (float) (0.6 * r.nextGaussian() / Math.sqrt(basis.length / 8.0));
        for (int d = 0; d < dim; d++) {
          v[d] += z * p[d];
        }
      }
      for (int d = 0; d < dim; d++) {
        v[d] += (float) (0.05 * r.nextGaussian() / Math.sqrt(dim / 64.0));
      }
      return normalize(v);
    }

    IndexedItem item(int i) {
      return new IndexedItem("v" + i, Map.of(MODEL, vector(new SplittableRandom(seed * 1_000_003L + i))), Map.of());
    }

    Iterator<IndexedItem> items(int from, int to) {
      return new Iterator<>() {
        int i = from;

        @Override
        public boolean hasNext() {
          return i < to;
        }

        @Override
        public IndexedItem next() {
          return item(i++);
        }
      };
    }

    float[] query(Random r) {
      return vector(new SplittableRandom(r.nextLong()));
    }
  }

  private static float[] gaussian(Random r, int dim, float sd) {
    float[] v = new float[dim];
    for (int d = 0; d < dim; d++) {
      v[d] = (float) (sd * r.nextGaussian());
    }
    return v;
  }

  static float[] normalize(float[] v) {
    double sq = 0;
    for (float x : v) {
      sq += x * x;
    }
    float inv = (float) (1 / Math.sqrt(sq));
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = v[i] * inv;
    }
    return r;
  }

  private static float[] plus(float[] a, float s, float[] b) {
    float[] r = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] + s * b[i];
    }
    return r;
  }

  private static Set<String> ids(List<SearchHit> hits) {
    Set<String> s = new HashSet<>();
    hits.forEach(h -> s.add(h.id()));
    return s;
  }

  private static Histogram hist() {
    return new Histogram(60_000_000L, 3);
  }

  private static double ms(long micros) {
    return round(micros / 1000.0);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static List<Integer> ints(int[] values) {
    return Arrays.stream(values).boxed().toList();
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
