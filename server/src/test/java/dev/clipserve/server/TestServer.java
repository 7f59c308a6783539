package dev.clipserve.server;

import ai.onnxruntime.OrtEnvironment;
import dev.clipserve.client.ClipserveClient;
import dev.clipserve.server.inference.InferenceOptions;
import dev.clipserve.server.inference.OrtRuntime;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A {@link ClipServer} on an in-process transport with a real channel and client. */
final class TestServer implements AutoCloseable {
  /** The tiny random-weight models made by distill/ (see docs/model-repository.md). */
  static final Path MODELS = Path.of("src/test/resources/models");

  final ClipServer server;
  final ManagedChannel channel;
  final ClipserveClient client;

  private TestServer(ClipServer server, ManagedChannel channel) {
    this.server = server;
    this.channel = channel;
    this.client = new ClipserveClient(channel);
  }

  static TestServer start(ServerConfig config) throws IOException {
    return start(config, RunnerDecorator.NONE);
  }

  static TestServer start(ServerConfig config, RunnerDecorator decorator) throws IOException {
    if (config.dataDir().equals(Path.of("data"))) {
      // Tests never write the search index into the source tree, nor share one between servers.
      config = config.withDataDir(java.nio.file.Files.createTempDirectory("clipserve-test-data"));
    }
    String name = InProcessServerBuilder.generateName();
    ClipServer server =
        new ClipServer(
            config,
            InProcessServerBuilder.forName(name),
            new OrtRuntime(OrtEnvironment.getEnvironment(), new InferenceOptions(1, 1, config.inference().provider(), false)),
            decorator)
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).maxInboundMessageSize(64 << 20).build();
    return new TestServer(server, channel);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown();
  }
}
