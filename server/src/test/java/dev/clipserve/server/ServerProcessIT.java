package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipserve.client.ClipserveClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real server processes on a free port (--port 0; the process prints the port it bound): health
 * goes SERVING, calls work, SIGTERM stops it with exit code 0; and with a security manager that
 * refuses every non-loopback connection, loading the models and encoding make no network call.
 */
class ServerProcessIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Duration START = Duration.ofSeconds(90);

  @Test
  void launcherServesAndExitsZeroOnSigterm() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            ROOT.resolve("bin/clipserve-server").toString(), "--port", "0", "--bind", "127.0.0.1",
            "--models", TestServer.MODELS.toAbsolutePath().toString(), "--threads", "1");
    try (ServerProcess server = new ServerProcess(pb)) {
      int port = server.awaitPort(START);
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        assertEquals(ServingStatus.SERVING,
            HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus());
        ClipserveClient client = new ClipserveClient(channel).withDeadline(Duration.ofSeconds(10));
        assertEquals(32, client.encodeTexts("teacher", List.of("a cat")).dimension());
      } finally {
        channel.shutdownNow();
      }
      assertEquals(0, server.terminate(Duration.ofSeconds(30)), server.log());
      assertTrue(server.log().contains("stopped"), server.log());
    }
  }

  @Test
  void makesNoOutboundNetworkCallWhileLoadingAndEncoding() throws Exception {
    String cp = String.join(File.pathSeparator, "target/test-classes", "target/classes", "target/lib/*");
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.security.manager=allow", "-cp", cp, NoNetworkGuard.class.getName(),
            "--port", "0", "--bind", "127.0.0.1",
            "--models", TestServer.MODELS.toAbsolutePath().toString(), "--threads", "1");
    // Main must switch DJL offline by itself: do not inherit the test JVM's setting.
    pb.environment().remove("DJL_OFFLINE");
    try (ServerProcess server = new ServerProcess(pb)) {
      int port = server.awaitPort(START);
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        ClipserveClient client = new ClipserveClient(channel).withDeadline(Duration.ofSeconds(10));
        assertEquals(2, client.encodeTexts("teacher", List.of("a cat", "a photo of a dog")).embeddings().size());
        assertEquals(1, client.encodeImages("student", List.of(EncoderServiceIT.golden("tiny-student-image", 0))).embeddings().size());
        assertEquals(3, client.listModels().size());
      } finally {
        channel.shutdownNow();
      }
      assertEquals(0, server.terminate(Duration.ofSeconds(30)), server.log());
      assertTrue(server.log().contains(NoNetworkGuard.ACTIVE), server.log());
      assertFalse(server.log().contains(NoNetworkGuard.BLOCKED), server.log());
      assertTrue(server.log().contains("stopped"), server.log());
    }
  }
}
