package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.clipserve.api.v1.EncodeImagesRequest;
import dev.clipserve.api.v1.EncodeImagesResponse;
import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.api.v1.GetModelRequest;
import dev.clipserve.api.v1.GetModelStatsRequest;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.ModelServiceGrpc;
import dev.clipserve.api.v1.ModelStats;
import dev.clipserve.api.v1.RawImage;
import dev.clipserve.server.inference.ModelInput;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The batcher behind real in-process gRPC stubs and the tiny test models. */
@Timeout(60)
class BatchingIT {
  static final String MODEL = "tiny-student-image";

  private static EncodeImagesRequest request(int images) {
    EncodeImagesRequest.Builder b = EncodeImagesRequest.newBuilder().setModel(MODEL);
    for (int i = 0; i < images; i++) {
      byte[] rgb = new byte[8 * 8 * 3];
      rgb[0] = (byte) i;
      b.addImages(
          Image.newBuilder().setRaw(RawImage.newBuilder().setHeight(8).setWidth(8).setRgb(ByteString.copyFrom(rgb))));
    }
    return b.build();
  }

  /** A decorator whose image runner waits for a permit while {@code gate} is set. */
  static final class Gate {
    final Semaphore permits = new Semaphore(0);
    final CountDownLatch entered = new CountDownLatch(1);
    volatile boolean closed = true;

    RunnerDecorator decorator() {
      return (manifest, runner) ->
          input -> {
            if (input instanceof ModelInput.ImageBatch && closed) {
              entered.countDown();
              permits.acquireUninterruptibly();
            }
            return runner.run(input);
          };
    }

    void open() {
      closed = false;
      permits.release(1000);
    }
  }

  @Test
  void manySingleImageCallersAreMergedAndAnsweredInOrder() throws Exception {
    Gate gate = new Gate();
    try (TestServer ts = TestServer.start(ServerConfig.defaults(TestServer.MODELS), gate.decorator())) {
      EncoderServiceGrpc.EncoderServiceStub async = EncoderServiceGrpc.newStub(ts.channel);
      List<CompletableFuture<EncodeImagesResponse>> calls = new ArrayList<>();
      calls.add(call(async, request(1)));
      assertTrue(gate.entered.await(10, TimeUnit.SECONDS)); // first batch holds the executor
      for (int i = 0; i < 12; i++) {
        calls.add(call(async, request(1)));
      }
      ModelServiceGrpc.ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(ts.channel);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (stats(models).getQueuedItems() < 12 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      gate.open();
      for (CompletableFuture<EncodeImagesResponse> c : calls) {
        assertEquals(1, c.get(10, TimeUnit.SECONDS).getEmbeddingsCount());
      }
      ModelStats s = stats(models);
      assertEquals(2, s.getBatchSize().getCount(), "1 + 12 items in two batches");
      assertEquals(12, s.getBatchSize().getMax());
      assertEquals(13, s.getQueueWaitUs().getCount());
    }
  }

  @Test
  void higherPriorityCallOvertakesQueuedLowerPriorityItems() throws Exception {
    // one item per batch, one executor: the queue order is exactly the order the runner sees
    ServerConfig config =
        ServerConfig.defaults(TestServer.MODELS)
            .withBatching(new BatchingConfig(1, null, -1, -1, -1, 1, false, 0, 1024));
    Gate gate = new Gate();
    List<Float> firstPixels = java.util.Collections.synchronizedList(new ArrayList<>());
    RunnerDecorator recording =
        (manifest, runner) -> {
          var gated = gate.decorator().decorate(manifest, runner);
          return input -> {
            if (input instanceof ModelInput.ImageBatch b) {
              firstPixels.add(b.pixels()[0]);
            }
            return gated.run(input);
          };
        };
    try (TestServer ts = TestServer.start(config, recording)) {
      EncoderServiceGrpc.EncoderServiceStub async = EncoderServiceGrpc.newStub(ts.channel);
      ModelServiceGrpc.ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(ts.channel);
      CompletableFuture<EncodeImagesResponse> blocker = call(async, uniform(1, 128, 0));
      assertTrue(gate.entered.await(10, TimeUnit.SECONDS)); // holds the only executor
      CompletableFuture<EncodeImagesResponse> low = call(async, uniform(2, 0, 0));
      awaitQueued(models, 2);
      CompletableFuture<EncodeImagesResponse> high = call(async, uniform(1, 255, 5));
      awaitQueued(models, 3);
      gate.open();
      assertEquals(1, blocker.get(10, TimeUnit.SECONDS).getEmbeddingsCount());
      assertEquals(1, high.get(10, TimeUnit.SECONDS).getEmbeddingsCount());
      assertEquals(2, low.get(10, TimeUnit.SECONDS).getEmbeddingsCount());
      assertEquals(4, firstPixels.size(), "one item per batch: " + firstPixels);
      // normalization is increasing in the byte value: 255 (high) > 128 (blocker) > 0 (low)
      assertTrue(firstPixels.get(1) > firstPixels.get(0), "the priority-5 item ran right after the blocker: " + firstPixels);
      assertTrue(firstPixels.get(2) < firstPixels.get(0), "then the priority-0 items: " + firstPixels);
      assertEquals(firstPixels.get(2), firstPixels.get(3));
    }
  }

  /** {@code images} raw 8x8 images with every byte {@code value}, at {@code priority}. */
  private static EncodeImagesRequest uniform(int images, int value, int priority) {
    EncodeImagesRequest.Builder b = EncodeImagesRequest.newBuilder().setModel(MODEL).setPriority(priority);
    byte[] rgb = new byte[8 * 8 * 3];
    java.util.Arrays.fill(rgb, (byte) value);
    for (int i = 0; i < images; i++) {
      b.addImages(
          Image.newBuilder().setRaw(RawImage.newBuilder().setHeight(8).setWidth(8).setRgb(ByteString.copyFrom(rgb))));
    }
    return b.build();
  }

  private static void awaitQueued(ModelServiceGrpc.ModelServiceBlockingStub models, int items) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (stats(models).getQueuedItems() < items && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(items, stats(models).getQueuedItems());
  }

  @Test
  void expiredCallEndsDeadlineExceededWhileAnotherBatchRuns() throws Exception {
    Gate gate = new Gate();
    try (TestServer ts = TestServer.start(ServerConfig.defaults(TestServer.MODELS), gate.decorator())) {
      EncoderServiceGrpc.EncoderServiceStub async = EncoderServiceGrpc.newStub(ts.channel);
      CompletableFuture<EncodeImagesResponse> running = call(async, request(1));
      assertTrue(gate.entered.await(10, TimeUnit.SECONDS));
      long t0 = System.nanoTime();
      var stub = EncoderServiceGrpc.newBlockingStub(ts.channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS);
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.encodeImages(request(2)));
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      assertTrue(waitedMs < 3000, "answered at its deadline, not after the running batch: " + waitedMs + " ms");
      assertFalse(running.isDone(), "the other batch was still running");
      ModelServiceGrpc.ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(ts.channel);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (stats(models).getQueuedItems() > 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      ModelStats s = stats(models);
      assertEquals(0, s.getQueuedItems(), "the expired call's items left the queue");
      assertEquals(2, s.getExpiredItems() + s.getCancelledItems());
      gate.open();
      assertEquals(1, running.get(10, TimeUnit.SECONDS).getEmbeddingsCount());
    }
  }

  @Test
  void fullQueueAnswersResourceExhaustedWithTheLimit() throws Exception {
    // overrides as --max-batch-size 2 --max-queue-size 3 would set them
    ServerConfig config =
        ServerConfig.defaults(TestServer.MODELS)
            .withBatching(new BatchingConfig(2, null, -1, 3, -1, 1, false, 0, 1024));
    try (TestServer ts = TestServer.start(config)) {
      var stub = EncoderServiceGrpc.newBlockingStub(ts.channel);
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.encodeImages(request(4)));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("max_queue_size=3"), e.getStatus().getDescription());
      assertEquals(3, stub.encodeImages(request(3)).getEmbeddingsCount(), "a request that fits still runs");
      ModelServiceGrpc.ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(ts.channel);
      assertEquals(4, stats(models).getRejectedItems());
      var policy = models.getModel(GetModelRequest.newBuilder().setModel(MODEL).build()).getModel().getBatching();
      assertEquals(2, policy.getMaxBatchSize(), "GetModel reports the policy in force");
      assertEquals(3, policy.getMaxQueueSize());
    }
  }

  @Test
  void metricsEndpointServesBatcherHistograms() throws Exception {
    // --metrics-port 0 means off, so the test binds the server's collector to a free port itself
    try (TestServer ts = TestServer.start(ServerConfig.defaults(TestServer.MODELS));
        var endpoint = dev.clipserve.server.metrics.MetricsEndpoint.start("127.0.0.1", 0, ts.server.metricsCollector())) {
      EncoderServiceGrpc.newBlockingStub(ts.channel).encodeImages(request(3));
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      String body = r.body();
      assertTrue(body.contains("clipserve_batch_size_items_count{model=\"" + MODEL + "\"} 1"), body);
      assertTrue(body.contains("clipserve_queue_wait_seconds"), body);
      assertTrue(body.contains("clipserve_rejected_items_total{model=\"" + MODEL + "\"} 0"), body);
    }
  }

  private static ModelStats stats(ModelServiceGrpc.ModelServiceBlockingStub models) {
    return models.getModelStats(GetModelStatsRequest.newBuilder().setModel(MODEL).build()).getStats();
  }

  private static CompletableFuture<EncodeImagesResponse> call(
      EncoderServiceGrpc.EncoderServiceStub stub, EncodeImagesRequest request) {
    CompletableFuture<EncodeImagesResponse> f = new CompletableFuture<>();
    stub.encodeImages(
        request,
        new StreamObserver<>() {
          @Override
          public void onNext(EncodeImagesResponse value) {
            f.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            f.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    return f;
  }
}
