package dev.clipserve.server.bench;

import ai.onnxruntime.OrtEnvironment;
import com.google.gson.GsonBuilder;
import com.google.protobuf.ByteString;
import dev.clipserve.api.v1.EncodeImagesRequest;
import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.RawImage;
import dev.clipserve.server.BatchedModel;
import dev.clipserve.server.ClipServer;
import dev.clipserve.server.LoadedModel;
import dev.clipserve.server.Modality;
import dev.clipserve.server.RunnerDecorator;
import dev.clipserve.server.ServerConfig;
import dev.clipserve.server.inference.InferenceRunner;
import dev.clipserve.server.inference.ModelInput;
import dev.clipserve.server.inference.OrtRuntime;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * EncodeImages throughput (images/s) for every image model of a repository: raw ONNX Runtime
 * (the model's session runner called directly with a ready float batch) next to the whole server
 * path (one loopback gRPC client sending raw 224x224 RGB images: serialization, validation,
 * normalization, inference, response), at a few batch sizes, in one run on the same sessions.
 * Prints a table and writes JSON.
 */
final class EncodeBench {
  private EncodeBench() {}

  record Row(String model, String architecture, int batch, double rawOrtIps, double serverIps, double serverOverPercent) {}

  static void main(String[] args) throws Exception {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("--models", "target/bench-models");
    defaults.put("--batch-sizes", "1,8,32");
    defaults.put("--seconds", "8");
    defaults.put("--threads", "0");
    defaults.put("--out", "target/bench/encode.json");
    BenchOptions opt = BenchOptions.parse(args, defaults);
    Path models = Path.of(opt.get("--models"));
    int[] batches = opt.getInts("--batch-sizes");
    double seconds = opt.getDouble("--seconds");
    ServerConfig config =
        ServerConfig.parse(
            new String[] {"--models", models.toString(), "--port", "0", "--bind", "127.0.0.1", "--threads", opt.get("--threads")},
            Map.of());
    long t0 = System.nanoTime();
    ClipServer server =
        new ClipServer(
            config,
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
            new OrtRuntime(OrtEnvironment.getEnvironment(), config.inference()),
            RunnerDecorator.NONE)
            .start();
    System.out.printf(Locale.ROOT, "server started in %.1f s (port %d)%n", (System.nanoTime() - t0) / 1e9, server.port());
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().maxInboundMessageSize(256 << 20).build();
    List<Row> rows = new ArrayList<>();
    try {
      for (LoadedModel m : server.models().models()) {
        if (m.modality() != Modality.IMAGE) {
          continue;
        }
        int size = m.manifest().image().size();
        for (int b : batches) {
          InferenceRunner session = m.runner() instanceof BatchedModel bm ? bm.sessionRunner() : m.runner();
          double raw = rawOrt(session, b, size, seconds);
          double viaServer = throughServer(channel, m.name(), b, size, seconds);
          Row row = new Row(m.name(), m.manifest().architecture(), b, raw, viaServer, 100 * (raw - viaServer) / raw);
          rows.add(row);
          System.out.printf(Locale.ROOT, "%-36s batch %3d: raw ORT %8.2f img/s, server %8.2f img/s%n", m.name(), b, raw, viaServer);
        }
      }
    } finally {
      channel.shutdownNow();
      server.shutdown();
    }
    System.out.println();
    System.out.println("| model | architecture | batch | raw ORT img/s | server img/s | server overhead |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.1f%% |%n",
          r.model(), r.architecture(), r.batch(), r.rawOrtIps(), r.serverIps(), r.serverOverPercent());
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("time", Instant.now().toString());
    doc.put("processors", Runtime.getRuntime().availableProcessors());
    doc.put("intra_op_threads", config.inference().intraOpThreads());
    doc.put("seconds_per_point", seconds);
    doc.put("input", "raw RGB uint8 224x224 (server) / ready float batch (raw ORT)");
    doc.put("rows", rows);
    Path out = Path.of(opt.get("--out"));
    BenchOptions.writeJson(out, doc);
    System.out.println("wrote " + out);
  }

  /** Images per second calling the session runner directly with a prepared batch. */
  static double rawOrt(InferenceRunner runner, int batch, int size, double seconds) {
    float[] pixels = new float[batch * 3 * size * size];
    Random rnd = new Random(1);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) rnd.nextGaussian();
    }
    ModelInput.ImageBatch input = new ModelInput.ImageBatch(pixels, batch);
    runner.run(input); // warm-up
    long start = System.nanoTime();
    long images = 0;
    int calls = 0;
    while (calls < 2 || System.nanoTime() - start < seconds * 1e9) {
      runner.run(input);
      images += batch;
      calls++;
    }
    return images / ((System.nanoTime() - start) / 1e9);
  }

  /** Images per second through one loopback gRPC client sending raw RGB images. */
  static double throughServer(ManagedChannel channel, String model, int batch, int size, double seconds)
      throws IOException {
    byte[] rgb = new byte[size * size * 3];
    new Random(2).nextBytes(rgb);
    EncodeImagesRequest.Builder b = EncodeImagesRequest.newBuilder().setModel(model);
    for (int i = 0; i < batch; i++) {
      b.addImages(Image.newBuilder().setRaw(RawImage.newBuilder().setHeight(size).setWidth(size).setRgb(ByteString.copyFrom(rgb))));
    }
    EncodeImagesRequest request = b.build();
    EncoderServiceGrpc.EncoderServiceBlockingStub stub = EncoderServiceGrpc.newBlockingStub(channel);
    stub.encodeImages(request); // warm-up
    long start = System.nanoTime();
    long images = 0;
    int calls = 0;
    while (calls < 2 || System.nanoTime() - start < seconds * 1e9) {
      images += stub.encodeImages(request).getEmbeddingsCount();
      calls++;
    }
    return images / ((System.nanoTime() - start) / 1e9);
  }
}
