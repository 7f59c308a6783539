package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.clipserve.api.v1.Embedding;
import dev.clipserve.api.v1.GetIndexStatsRequest;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.IndexImagesRequest;
import dev.clipserve.api.v1.IndexImagesResponse;
import dev.clipserve.api.v1.IndexItem;
import dev.clipserve.api.v1.RawImage;
import dev.clipserve.api.v1.SearchRequest;
import dev.clipserve.api.v1.SearchResponse;
import dev.clipserve.api.v1.SearchServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability of IndexImages: a real server process (free port) is killed with SIGKILL while a
 * client keeps indexing; after a restart on the same data folder the index opens and every id whose
 * IndexImages call was acknowledged is found.
 */
class IndexCrashIT {
  static final Duration START = Duration.ofSeconds(120);
  static final int ACKED_BATCHES_BEFORE_KILL = 15;
  static final int BATCH = 4;

  @TempDir Path data;

  private ServerProcess start() throws Exception {
    String cp = String.join(File.pathSeparator, "target/classes", "target/lib/*");
    return new ServerProcess(new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true", "-cp", cp,
        Main.class.getName(), "--port", "0", "--bind", "127.0.0.1",
        "--models", TestServer.MODELS.toAbsolutePath().toString(), "--threads", "1",
        "--data-dir", data.toString()));
  }

  private static IndexItem rawItem(Random rnd, String id) {
    byte[] rgb = new byte[16 * 12 * 3];
    rnd.nextBytes(rgb);
    return IndexItem.newBuilder().setId(id).putMetadata("key", id)
        .setImage(Image.newBuilder().setRaw(RawImage.newBuilder().setHeight(12).setWidth(16)
            .setRgb(ByteString.copyFrom(rgb))))
        .build();
  }

  @Test
  void everyAcknowledgedIdSurvivesSigkill() throws Exception {
    List<String> acked = Collections.synchronizedList(new ArrayList<>());
    try (ServerProcess server = start()) {
      int port = server.awaitPort(START);
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      CountDownLatch enough = new CountDownLatch(ACKED_BATCHES_BEFORE_KILL);
      AtomicBoolean killed = new AtomicBoolean();
      Thread ingest = new Thread(() -> {
        var stub = SearchServiceGrpc.newBlockingStub(channel);
        Random rnd = new Random(1);
        for (int b = 0; !killed.get(); b++) {
          IndexImagesRequest.Builder req = IndexImagesRequest.newBuilder();
          for (int i = 0; i < BATCH; i++) {
            req.addItems(rawItem(rnd, "b" + b + "-" + i));
          }
          try {
            IndexImagesResponse r = stub.withDeadlineAfter(30, TimeUnit.SECONDS).indexImages(req.build());
            r.getResultsList().forEach(res -> {
              if (res.getIndexed()) {
                acked.add(res.getId());
              }
            });
            enough.countDown();
          } catch (RuntimeException e) {
            return; // the server died under this call: it was never acknowledged
          }
        }
      }, "ingest");
      ingest.start();
      assertTrue(enough.await(120, TimeUnit.SECONDS), "ingest too slow:\n" + server.log());
      server.process.destroyForcibly(); // SIGKILL, with the ingest still running
      killed.set(true);
      assertTrue(server.process.waitFor(30, TimeUnit.SECONDS));
      ingest.join(TimeUnit.SECONDS.toMillis(60));
      channel.shutdownNow();
      assertEquals(137, server.process.exitValue(), "killed by SIGKILL");
    }
    assertTrue(acked.size() >= ACKED_BATCHES_BEFORE_KILL * BATCH);

    try (ServerProcess server = start()) {
      int port = server.awaitPort(START);
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        var stub = SearchServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
        long items = stub.getIndexStats(GetIndexStatsRequest.getDefaultInstance()).getItems();
        assertTrue(items >= acked.size(), items + " items after restart, " + acked.size() + " acknowledged");
        Embedding any = Embedding.newBuilder().addAllValues(Collections.nCopies(32, 1f)).build();
        for (String id : acked) {
          SearchResponse r = stub.search(SearchRequest.newBuilder().setVector(any).setTopK(1)
              .putFilter("key", id).build());
          assertEquals(1, r.getResultsCount(), "acknowledged id " + id + " lost");
          assertEquals(id, r.getResults(0).getId());
        }
      } finally {
        channel.shutdownNow();
      }
      assertEquals(0, server.terminate(Duration.ofSeconds(30)), server.log());
    }
  }
}
