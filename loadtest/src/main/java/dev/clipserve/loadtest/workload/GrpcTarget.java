package dev.clipserve.loadtest.workload;

import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.api.v1.GetModelRequest;
import dev.clipserve.api.v1.ListModelsRequest;
import dev.clipserve.api.v1.Modality;
import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.api.v1.ModelServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one server a load test talks to: a plaintext channel to {@code host:port} and its stubs.
 * Nothing else is ever contacted. Owns the channel; {@link #close()} shuts it down.
 */
public final class GrpcTarget implements AutoCloseable {
  /** Largest response accepted (a 256-image batch of 1024-dim floats is about 1 MB). */
  private static final int MAX_INBOUND_BYTES = 64 << 20;

  private final String address;
  private final ManagedChannel channel;
  private final boolean owned;

  private GrpcTarget(String address, ManagedChannel channel, boolean owned) {
    this.address = address;
    this.channel = channel;
    this.owned = owned;
  }

  /** Connects (lazily) to {@code host:port} over plaintext HTTP/2. */
  public static GrpcTarget connect(String hostPort) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(hostPort)
        .usePlaintext()
        .maxInboundMessageSize(MAX_INBOUND_BYTES)
        .build();
    return new GrpcTarget(hostPort, channel, true);
  }

  /** Wraps a channel the caller owns (tests: an in-process channel); close() leaves it open. */
  public static GrpcTarget wrap(String description, ManagedChannel channel) {
    return new GrpcTarget(description, channel, false);
  }

  /** The address given to {@link #connect}. */
  public String address() {
    return address;
  }

  /** Asynchronous encoder stub (calls overlap). */
  public EncoderServiceGrpc.EncoderServiceFutureStub encoderAsync() {
    return EncoderServiceGrpc.newFutureStub(channel).withMaxInboundMessageSize(MAX_INBOUND_BYTES);
  }

  /** Blocking encoder stub (accuracy evaluation). */
  public EncoderServiceGrpc.EncoderServiceBlockingStub encoderBlocking() {
    return EncoderServiceGrpc.newBlockingStub(channel)
        .withMaxInboundMessageSize(MAX_INBOUND_BYTES);
  }

  /** The channel, for stubs of other services. */
  public ManagedChannel channel() {
    return channel;
  }

  /**
   * The server's models (ModelService.ListModels). While the server answers UNAVAILABLE (not
   * started yet, or still loading its models) it retries every 500 ms, for at most
   * {@code timeoutSeconds} in all.
   *
   * @throws StatusRuntimeException the last failure when time runs out, or any other failure
   */
  public List<ModelInfo> listModels(long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      long left = deadline - System.nanoTime();
      try {
        return ModelServiceGrpc.newBlockingStub(channel)
            .withWaitForReady()
            .withDeadlineAfter(Math.max(1, left), TimeUnit.NANOSECONDS)
            .listModels(ListModelsRequest.getDefaultInstance())
            .getModelsList();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || left < 500_000_000L) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  /**
   * The repository name behind a request name ("teacher" resolves by role and modality), or the
   * name itself when the server does not know it (its calls then fail with NOT_FOUND).
   */
  public String resolve(String requestName, Modality modality) {
    try {
      return ModelServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .getModel(GetModelRequest.newBuilder().setModel(requestName).setModality(modality)
              .build())
          .getModel().getName();
    } catch (StatusRuntimeException e) {
      return requestName;
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (owned) {
      channel.shutdown();
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    }
  }
}
