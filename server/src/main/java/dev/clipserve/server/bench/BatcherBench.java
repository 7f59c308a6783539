package dev.clipserve.server.bench;

import ai.onnxruntime.OrtEnvironment;
import com.google.gson.GsonBuilder;
import com.google.protobuf.ByteString;
import dev.clipserve.api.v1.EncodeImagesRequest;
import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.RawImage;
import dev.clipserve.server.BatchedModel;
import dev.clipserve.server.BatchingConfig;
import dev.clipserve.server.ClipServer;
import dev.clipserve.server.LoadedModel;
import dev.clipserve.server.ModelManifest;
import dev.clipserve.server.RunnerDecorator;
import dev.clipserve.server.ServerConfig;
import dev.clipserve.server.batch.BatcherStats;
import dev.clipserve.server.inference.InferenceRunner;
import dev.clipserve.server.inference.ModelInput;
import dev.clipserve.server.inference.OrtRuntime;
import dev.clipserve.server.preprocess.ImagePreprocessor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.imageio.ImageIO;
import org.HdrHistogram.Recorder;

/**
 * {@code clipserve-bench batcher}: what dynamic batching buys on this machine, per model (teacher
 * and student image towers of a bench repository):
 *
 * <ul>
 *   <li>{@code raw_ort_ips}: the model's ONNX Runtime session called in-process with a ready
 *       float batch, at the best of a few batch sizes (the limit);
 *   <li>{@code batched_ips}: the server over loopback gRPC, {@code --callers} closed-loop callers
 *       each sending one raw 224x224 RGB image per call, dynamic batching on;
 *   <li>{@code unbatched_ips}: the same with {@code max_batch_size} 1;
 *   <li>{@code efficiency} = batched / raw, {@code batching_gain} = batched / unbatched;
 *   <li>the same with a 320x240 JPEG per call (decoding and resizing included; the raw figure
 *       decodes and preprocesses in-process, one thread, before running the best batch);
 *   <li>p50/p99 call latency of every gRPC run, in milliseconds.
 * </ul>
 *
 * Also measures executor layouts (one executor; two sharing a session; two with a session each)
 * for the student. Prints a table and writes JSON. Measures; asserts nothing.
 */
final class BatcherBench {
  private BatcherBench() {}

  static void main(String[] args) throws Exception {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("--models", "target/bench-models");
    defaults.put("--seconds", "6");
    defaults.put("--warmup", "2");
    defaults.put("--callers", "32");
    defaults.put("--max-batch-size", "best");
    defaults.put("--max-queue-delay-us", "auto");
    defaults.put("--raw-batch-sizes", "1,8,16,32");
    defaults.put("--instances", "student");
    defaults.put("--threads", "0");
    defaults.put("--preprocess-threads", "0");
    defaults.put("--roles", "teacher,student");
    defaults.put("--out", "target/bench/batcher.json");
    BenchOptions opt = BenchOptions.parse(args, defaults);
    Settings s =
        new Settings(
            opt.getDouble("--seconds"),
            opt.getDouble("--warmup"),
            opt.getInt("--callers"),
            opt.get("--max-batch-size").equals("best") ? -1 : Integer.parseInt(opt.get("--max-batch-size")),
            opt.get("--max-queue-delay-us").equals("auto") ? -1 : Long.parseLong(opt.get("--max-queue-delay-us")),
            opt.getInts("--raw-batch-sizes"),
            opt.getInt("--preprocess-threads"));
    Path repo = Path.of(opt.get("--models"));
    Map<String, Path> byRole = modelsByRole(repo);
    Bench.intraOpThreads = opt.get("--threads");
    Map<String, Object> models = new LinkedHashMap<>();
    Map<String, Object> instances = new LinkedHashMap<>();
    for (String role : List.of(opt.get("--roles").split(","))) {
      Path folder = byRole.get(role);
      if (folder == null) {
        System.out.println("no " + role + " image model in " + repo + "; skipped");
        continue;
      }
      Map<String, Object> result = benchModel(folder, s);
      models.put(role, result);
      if (opt.get("--instances").contains(role)) {
        instances.put(
          role,
          benchInstances(
              folder, s, (Double) result.get("raw_ort_ips"), (Integer) result.get("raw_ort_best_batch")));
      }
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("time", Instant.now().toString());
    doc.put("processors", Runtime.getRuntime().availableProcessors());
    doc.put("callers", s.callers());
    doc.put("intra_op_threads", opt.get("--threads"));
    doc.put("preprocess_threads", opt.get("--preprocess-threads"));
    doc.put("seconds_per_run", s.seconds());
    doc.put("max_batch_size", opt.get("--max-batch-size"));
    doc.put("max_queue_delay_us", opt.get("--max-queue-delay-us"));
    doc.put("load_average_at_start", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    doc.put("input", "raw: RGB uint8 224x224 per call; jpeg: 320x240 JPEG per call; one image per call");
    doc.put("models", models);
    doc.put("instances", instances);
    printTable(models, instances);
    Path out = Path.of(opt.get("--out"));
    BenchOptions.writeJson(out, doc);
    System.out.println("wrote " + out);
  }

  /**
   * @param seconds shortest measured window per gRPC run; a run lasts at least 4 caller cycles
   *     ({@code callers / raw_ort_ips} seconds each) so slow models get a fair window
   * @param warmup shortest warm-up per run (at least one caller cycle)
   */
  record Settings(
      double seconds,
      double warmup,
      int callers,
      int maxBatchSize,
      long maxQueueDelayMicros,
      int[] rawBatchSizes,
      int preprocessThreads) {
    /**
     * Windows scaled to the model's speed, and for {@code --max-queue-delay-us auto} a delay of
     * 10% of one full batch's inference time at the raw rate (so a lone item waits for the
     * callers whose answers just left instead of occupying the executor alone).
     */
    Settings forRate(double rawIps, int bestBatch) {
      int max = maxBatchSize > 0 ? maxBatchSize : bestBatch;
      double cycle = callers / Math.max(rawIps, 1e-3);
      long delay = maxQueueDelayMicros >= 0 ? maxQueueDelayMicros : (long) (0.1 * max / Math.max(rawIps, 1e-3) * 1e6);
      return new Settings(
          Math.max(seconds, 4 * cycle), Math.max(warmup, cycle), callers, max, delay, rawBatchSizes, preprocessThreads);
    }

    BatchingConfig batching(int maxBatch) {
      return new BatchingConfig(
          maxBatch, null, maxBatch == 1 ? 0 : Math.max(0, maxQueueDelayMicros), -1, -1, 1, false, preprocessThreads, 1024);
    }
  }

  /**
   * @param ipsPerCpu images per CPU-second of this process (robust to other load on the machine)
   * @param executorBusy fraction of the window the executor spent in inference calls (1 executor:
   *     near 1 means the batcher never left it idle, so no dispatch rule can add throughput)
   * @param inferenceMs mean wall time of one inference call in the server
   */
  record Run(
      double ips, double p50Ms, double p99Ms, double meanBatch, double ipsPerCpu, double executorBusy,
      double inferenceMs) {}

  /** This process's CPU time in nanoseconds. */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static Map<String, Object> benchModel(Path folder, Settings given) throws Exception {
    Settings s = given;
    Map<String, Object> r = new LinkedHashMap<>();
    byte[] rawRgb = rawImage();
    byte[] jpeg = jpegImage();
    Run batched;
    Run batchedJpeg;
    double raw;
    double rawJpeg;
    double[] rawPerCpu = new double[1];
    int best = 1;
    Map<String, Double> sweep = new LinkedHashMap<>();
    try (Bench b = Bench.start(folder, s.batching(16))) {
      r.put("model", b.model.name());
      r.put("architecture", b.model.manifest().architecture());
      InferenceRunner session = ((BatchedModel) b.model.runner()).sessionRunner();
      raw = 0;
      for (int n : s.rawBatchSizes()) {
        long[] imagesAndCpu = new long[2];
        double ips = rawOrt(session, n, 224, Math.max(2, s.seconds() / 2), imagesAndCpu);
        double perCpu = imagesAndCpu[0] / (imagesAndCpu[1] / 1e9);
        sweep.put(Integer.toString(n), round(ips));
        System.out.printf(Locale.ROOT, "%s raw ORT batch %d: %.1f img/s%n", r.get("model"), n, ips);
        if (ips > raw) {
          raw = ips;
          best = n;
          rawPerCpu[0] = perCpu;
        }
      }
      rawJpeg = rawOrtJpeg(session, b.model.preprocessor(), jpeg, best, s.seconds());
      r.put("raw_ort_best_batch", best);
      r.put("raw_ort_by_batch", sweep);
    }
    s = given.forRate(raw, best);
    r.put("max_batch_size", s.maxBatchSize());
    r.put("seconds_per_run", round(s.seconds()));
    r.put("max_queue_delay_us", s.maxQueueDelayMicros());
    try (Bench b = Bench.start(folder, s.batching(s.maxBatchSize()))) {
      batched = b.load(request(b.model.name(), rawRgb, false), s);
      batchedJpeg = b.load(request(b.model.name(), jpeg, true), s);
    }
    Run unbatched;
    Run unbatchedJpeg;
    try (Bench b = Bench.start(folder, s.batching(1))) {
      unbatched = b.load(request(b.model.name(), rawRgb, false), s);
      unbatchedJpeg = b.load(request(b.model.name(), jpeg, true), s);
    }
    r.put("raw_ort_ips", round(raw));
    r.put("batched_ips", round(batched.ips()));
    r.put("unbatched_ips", round(unbatched.ips()));
    r.put("efficiency", round(batched.ips() / raw));
    r.put("batching_gain", round(batched.ips() / unbatched.ips()));
    r.put("raw_ort_jpeg_ips", round(rawJpeg));
    r.put("batched_jpeg_ips", round(batchedJpeg.ips()));
    r.put("unbatched_jpeg_ips", round(unbatchedJpeg.ips()));
    r.put("efficiency_jpeg", round(batchedJpeg.ips() / rawJpeg));
    r.put("batching_gain_jpeg", round(batchedJpeg.ips() / unbatchedJpeg.ips()));
    r.put("batched_p50_ms", round(batched.p50Ms()));
    r.put("batched_p99_ms", round(batched.p99Ms()));
    r.put("unbatched_p50_ms", round(unbatched.p50Ms()));
    r.put("unbatched_p99_ms", round(unbatched.p99Ms()));
    r.put("batched_jpeg_p50_ms", round(batchedJpeg.p50Ms()));
    r.put("batched_jpeg_p99_ms", round(batchedJpeg.p99Ms()));
    r.put("unbatched_jpeg_p50_ms", round(unbatchedJpeg.p50Ms()));
    r.put("unbatched_jpeg_p99_ms", round(unbatchedJpeg.p99Ms()));
    r.put("raw_ort_ips_per_cpu", round(rawPerCpu[0]));
    r.put("batched_ips_per_cpu", round(batched.ipsPerCpu()));
    r.put("unbatched_ips_per_cpu", round(unbatched.ipsPerCpu()));
    r.put("efficiency_per_cpu", round(batched.ipsPerCpu() / rawPerCpu[0]));
    r.put("batching_gain_per_cpu", round(batched.ipsPerCpu() / unbatched.ipsPerCpu()));
    r.put("load_average_after", round(loadAverage()));
    r.put("batched_mean_batch_size", round(batched.meanBatch()));
    r.put("batched_jpeg_mean_batch_size", round(batchedJpeg.meanBatch()));
    r.put("batched_executor_busy", round(batched.executorBusy()));
    r.put("unbatched_executor_busy", round(unbatched.executorBusy()));
    r.put("batched_inference_ms_per_call", round(batched.inferenceMs()));
    r.put("unbatched_inference_ms_per_call", round(unbatched.inferenceMs()));
    r.put("raw_ort_ms_per_call_at_max_batch", round(1000.0 * s.maxBatchSize() / rawAt(sweep, s.maxBatchSize(), raw)));
    System.out.println(r);
    return r;
  }

  /** Batched raw-tensor throughput for three executor layouts. */
  private static Map<String, Object> benchInstances(Path folder, Settings given, double rawIps, int bestBatch)
      throws Exception {
    Settings s = given.forRate(rawIps, bestBatch);
    Map<String, Object> r = new LinkedHashMap<>();
    byte[] rawRgb = rawImage();
    record Layout(String key, int executors, boolean sessionEach) {}
    for (Layout l :
        List.of(
            new Layout("one_executor", 1, false),
            new Layout("two_executors_shared_session", 2, false),
            new Layout("two_executors_session_each", 2, true))) {
      BatchingConfig config = s.batching(s.maxBatchSize()).withExecutors(l.executors(), l.sessionEach());
      try (Bench b = Bench.start(folder, config)) {
        Run run = b.load(request(b.model.name(), rawRgb, false), s);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batched_ips", round(run.ips()));
        m.put("p50_ms", round(run.p50Ms()));
        m.put("p99_ms", round(run.p99Ms()));
        m.put("mean_batch_size", round(run.meanBatch()));
        m.put("batched_ips_per_cpu", round(run.ipsPerCpu()));
        m.put("executor_busy", round(run.executorBusy()));
        m.put("inference_ms_per_call", round(run.inferenceMs()));
        r.put(l.key(), m);
        System.out.printf(Locale.ROOT, "%s %s: %.1f img/s%n", b.model.name(), l.key(), run.ips());
      }
    }
    return r;
  }

  /** One server with one model on a loopback port, and a channel to it. */
  private static final class Bench implements AutoCloseable {
    final ClipServer server;
    final ManagedChannel channel;
    final LoadedModel model;
    /** {@code --threads} for every bench server (set once from the command line). */
    static String intraOpThreads = "0";

    private Bench(ClipServer server, ManagedChannel channel) {
      this.server = server;
      this.channel = channel;
      this.model = server.models().models().get(0);
    }

    static Bench start(Path modelFolder, BatchingConfig batching) throws IOException {
      Path repo = Files.createTempDirectory("clipserve-bench-repo");
      Files.createSymbolicLink(repo.resolve(modelFolder.getFileName()), modelFolder.toAbsolutePath());
      ServerConfig config =
          ServerConfig.parse(
                  new String[] {
                    "--models", repo.toString(), "--port", "0", "--bind", "127.0.0.1", "--no-metrics",
                    "--threads", intraOpThreads
                  },
                  Map.of())
              .withBatching(batching);
      ClipServer server =
          new ClipServer(
                  config,
                  NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                  new OrtRuntime(OrtEnvironment.getEnvironment(), config.inference()),
                  RunnerDecorator.NONE)
              .start();
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().maxInboundMessageSize(64 << 20).build();
      return new Bench(server, channel);
    }

    /** Closed-loop load: callers each send {@code request} back to back; counts the measured window. */
    Run load(EncodeImagesRequest request, Settings s) throws InterruptedException {
      BatchedModel batched = (BatchedModel) model.runner();
      EncoderServiceGrpc.EncoderServiceBlockingStub stub = EncoderServiceGrpc.newBlockingStub(channel);
      long start = System.nanoTime();
      long measureFrom = start + (long) (s.warmup() * 1e9);
      long end = measureFrom + (long) (s.seconds() * 1e9);
      LongAdder done = new LongAdder();
      Recorder latency = new Recorder(3);
      long[] batchesAt = new long[2];
      double[] sumAt = new double[2];
      CountDownLatch finished = new CountDownLatch(s.callers());
      List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int c = 0; c < s.callers(); c++) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    while (true) {
                      long t0 = System.nanoTime();
                      if (t0 >= end) {
                        return;
                      }
                      stub.withDeadlineAfter(60, TimeUnit.SECONDS).encodeImages(request);
                      long t1 = System.nanoTime();
                      if (t1 >= measureFrom && t1 <= end) {
                        done.increment();
                        latency.recordValue((t1 - t0) / 1000);
                      }
                    }
                  } catch (RuntimeException e) {
                    errors.add(e);
                  } finally {
                    finished.countDown();
                  }
                },
                "bench-caller-" + c);
        t.setDaemon(true);
        t.start();
      }
      long now;
      while ((now = System.nanoTime()) < measureFrom) {
        Thread.sleep(Math.max(1, (measureFrom - now) / 1_000_000));
      }
      BatcherStats before = batched.stats();
      long cpuBefore = cpuNanos();
      while ((now = System.nanoTime()) < end) {
        Thread.sleep(Math.max(1, (end - now) / 1_000_000));
      }
      BatcherStats after = batched.stats();
      long cpuAfter = cpuNanos();
      finished.await(120, TimeUnit.SECONDS);
      if (!errors.isEmpty()) {
        throw new IllegalStateException("calls failed: " + errors.get(0), errors.get(0));
      }
      var h = latency.getIntervalHistogram();
      long batches = after.batchSize().count() - before.batchSize().count();
      double items = after.batchSize().sum() - before.batchSize().sum();
      double ips = done.sum() / s.seconds();
      Run run =
          new Run(ips, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
              batches == 0 ? 0 : items / batches, done.sum() / ((cpuAfter - cpuBefore) / 1e9),
              (after.inferenceMicros().sum() - before.inferenceMicros().sum()) / 1e6 / s.seconds()
                  / batched.executors(),
              batches == 0 ? 0 : (after.inferenceMicros().sum() - before.inferenceMicros().sum()) / 1e3 / batches);
      System.out.printf(
          Locale.ROOT,
          "  %s max_batch_size=%d executors=%d: %.1f img/s (%.1f per CPU-s), p50 %.1f ms, p99 %.1f ms, mean batch"
              + " %.1f, executor busy %.2f, %.1f ms per inference call%n",
          model.name(), batched.policy().maxBatchSize(), batched.executors(), run.ips(), run.ipsPerCpu(), run.p50Ms(),
          run.p99Ms(), run.meanBatch(), run.executorBusy(), run.inferenceMs());
      return run;
    }

    @Override
    public void close() {
      channel.shutdownNow();
      server.shutdown();
    }
  }

  /** Images/s of the session on a ready batch; {@code imagesOut} receives {images, CPU nanoseconds}. */
  static double rawOrt(InferenceRunner runner, int batch, int size, double seconds, long[] imagesOut) {
    float[] pixels = new float[batch * 3 * size * size];
    Random rnd = new Random(1);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) rnd.nextGaussian();
    }
    ModelInput.ImageBatch input = new ModelInput.ImageBatch(pixels, batch);
    runner.run(input);
    long cpu0 = cpuNanos();
    long start = System.nanoTime();
    long images = 0;
    int calls = 0;
    while (calls < 2 || System.nanoTime() - start < seconds * 1e9) {
      runner.run(input);
      images += batch;
      calls++;
    }
    imagesOut[0] = images;
    imagesOut[1] = cpuNanos() - cpu0;
    return images / ((System.nanoTime() - start) / 1e9);
  }

  /** In-process: decode and preprocess {@code batch} JPEGs on this thread, then run them. */
  static double rawOrtJpeg(InferenceRunner runner, ImagePreprocessor pre, byte[] jpeg, int batch, double seconds)
      throws Exception {
    int per = pre.floatsPerImage();
    long start = 0;
    long images = 0;
    for (int round = 0; round < 1_000_000; round++) {
      if (round == 1) {
        start = System.nanoTime();
        images = 0;
      }
      float[] pixels = new float[batch * per];
      for (int i = 0; i < batch; i++) {
        pre.preprocessEncoded(jpeg, pixels, i * per);
      }
      runner.run(new ModelInput.ImageBatch(pixels, batch));
      images += batch;
      if (round >= 2 && System.nanoTime() - start >= seconds * 1e9) {
        break;
      }
    }
    return images / ((System.nanoTime() - start) / 1e9);
  }

  static EncodeImagesRequest request(String model, byte[] data, boolean encoded) {
    Image.Builder image = Image.newBuilder();
    if (encoded) {
      image.setEncoded(ByteString.copyFrom(data));
    } else {
      image.setRaw(RawImage.newBuilder().setHeight(224).setWidth(224).setRgb(ByteString.copyFrom(data)));
    }
    return EncodeImagesRequest.newBuilder().setModel(model).addImages(image).build();
  }

  static byte[] rawImage() {
    byte[] rgb = new byte[224 * 224 * 3];
    new Random(2).nextBytes(rgb);
    return rgb;
  }

  /** A 320x240 photo-like JPEG (smooth gradients plus noise). */
  static byte[] jpegImage() throws IOException {
    BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
    Random rnd = new Random(3);
    for (int y = 0; y < 240; y++) {
      for (int x = 0; x < 320; x++) {
        int r = Math.min(255, x * 255 / 320 + rnd.nextInt(20));
        int g = Math.min(255, y * 255 / 240 + rnd.nextInt(20));
        int b = Math.min(255, 128 + (int) (60 * Math.sin((x + y) / 17.0)) + rnd.nextInt(20));
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", out);
    return out.toByteArray();
  }

  private static Map<String, Path> modelsByRole(Path repo) throws IOException {
    Map<String, Path> out = new LinkedHashMap<>();
    try (var folders = Files.list(repo)) {
      for (Path f : folders.sorted().toList()) {
        Path manifest = f.resolve("manifest.json");
        if (!Files.isRegularFile(manifest)) {
          continue;
        }
        ModelManifest m = ModelManifest.parse(Files.readString(manifest), f.getFileName().toString());
        String role = m.role().name().toLowerCase(Locale.ROOT);
        if (m.modality() == dev.clipserve.server.Modality.IMAGE) {
          out.putIfAbsent(role, f);
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void printTable(Map<String, Object> models, Map<String, Object> instances) {
    System.out.println();
    System.out.println("| model | raw ORT img/s | batched | unbatched | efficiency | batching gain | JPEG raw | JPEG batched | JPEG unbatched | p50/p99 ms batched | p50/p99 ms unbatched |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (var e : models.entrySet()) {
      Map<String, Object> r = (Map<String, Object>) e.getValue();
      System.out.printf(
          Locale.ROOT, "| %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s | %s/%s |%n",
          e.getKey(), r.get("architecture"), r.get("raw_ort_ips"), r.get("batched_ips"), r.get("unbatched_ips"),
          r.get("efficiency"), r.get("batching_gain"), r.get("raw_ort_jpeg_ips"), r.get("batched_jpeg_ips"),
          r.get("unbatched_jpeg_ips"), r.get("batched_p50_ms"), r.get("batched_p99_ms"), r.get("unbatched_p50_ms"),
          r.get("unbatched_p99_ms"));
    }
    for (var e : instances.entrySet()) {
      System.out.println();
      System.out.println("executor layouts, " + e.getKey() + ": " + e.getValue());
    }
  }

  /** Raw img/s of the sweep at {@code batch}, or {@code fallback} if it was not measured. */
  private static double rawAt(Map<String, Double> sweep, int batch, double fallback) {
    Double v = sweep.get(Integer.toString(batch));
    return v == null ? fallback : v;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
