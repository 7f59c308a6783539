package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipserve.client.ClipserveClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: in-flight calls finish, new calls are refused, sessions close after. */
class ShutdownIT {

  @Test
  void inFlightCallFinishesAndNewCallsAreRefused() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RunnerDecorator gate =
        (manifest, runner) ->
            input -> {
              entered.countDown();
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return runner.run(input);
            };
    TestServer ts = TestServer.start(ServerConfig.defaults(TestServer.MODELS), gate);
    try {
      CompletableFuture<ClipserveClient.Result> inFlight =
          CompletableFuture.supplyAsync(() -> ts.client.encodeTexts("teacher", List.of("a cat")));
      assertTrue(entered.await(30, TimeUnit.SECONDS), "call never reached the runner");

      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(ts.server::shutdown);
      // new calls are refused while the in-flight one drains
      StatusRuntimeException refused = null;
      for (int i = 0; i < 200 && refused == null; i++) {
        try {
          ts.client.listModels();
          Thread.sleep(10); // the shutdown thread has not reached server.shutdown() yet
        } catch (StatusRuntimeException e) {
          refused = e;
        }
      }
      assertTrue(refused != null, "new calls were still accepted");
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());

      release.countDown();
      assertEquals(1, inFlight.get(30, TimeUnit.SECONDS).embeddings().size());
      shutdown.get(30, TimeUnit.SECONDS);
      var e = assertThrows(UnavailableException.class, ts.server::models);
      assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
    } finally {
      release.countDown();
      ts.close();
    }
  }
}
