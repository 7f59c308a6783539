package dev.clipserve.server.grpc;

import dev.clipserve.api.v1.EncodeImagesRequest;
import dev.clipserve.api.v1.EncodeImagesResponse;
import dev.clipserve.api.v1.EncodeTextsRequest;
import dev.clipserve.api.v1.EncodeTextsResponse;
import dev.clipserve.api.v1.Embedding;
import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.api.v1.Image;
import dev.clipserve.server.Embeddings;
import dev.clipserve.server.EncodingService;
import dev.clipserve.server.ImageInput;
import dev.clipserve.server.batch.DynamicBatcher;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** gRPC adapter for {@code clipserve.v1.EncoderService}: proto to domain to proto. */
public final class EncoderGrpcService extends EncoderServiceGrpc.EncoderServiceImplBase {
  private final EncodingService encoding;

  public EncoderGrpcService(EncodingService encoding) {
    this.encoding = encoding;
  }

  @Override
  public void encodeImages(EncodeImagesRequest request, StreamObserver<EncodeImagesResponse> response) {
    CompletableFuture<Embeddings> call;
    try {
      checkAlive();
      List<ImageInput> images = new ArrayList<>(request.getImagesCount());
      for (Image image : request.getImagesList()) {
        switch (image.getDataCase()) {
          case ENCODED -> images.add(new ImageInput.Encoded(image.getEncoded().toByteArray()));
          case RAW -> images.add(
              new ImageInput.Raw(
                  Integer.toUnsignedLong(image.getRaw().getHeight()),
                  Integer.toUnsignedLong(image.getRaw().getWidth()),
                  image.getRaw().getRgb().toByteArray()));
          default -> images.add(null);
        }
      }
      call = encoding.encodeImagesAsync(request.getModel(), images, deadlineNanos(), request.getPriority());
    } catch (Exception e) {
      response.onError(Statuses.toStatus("EncodeImages", e));
      return;
    }
    answer(
        "EncodeImages",
        call,
        response,
        e -> {
          EncodeImagesResponse.Builder b =
              EncodeImagesResponse.newBuilder().setModel(e.model()).setDimension(e.dimension());
          for (float[] v : e.vectors()) {
            b.addEmbeddings(embedding(v));
          }
          return b.build();
        });
  }

  @Override
  public void encodeTexts(EncodeTextsRequest request, StreamObserver<EncodeTextsResponse> response) {
    CompletableFuture<Embeddings> call;
    try {
      checkAlive();
      call = encoding.encodeTextsAsync(
              request.getModel(), request.getTextsList(), deadlineNanos(), request.getPriority());
    } catch (Exception e) {
      response.onError(Statuses.toStatus("EncodeTexts", e));
      return;
    }
    answer(
        "EncodeTexts",
        call,
        response,
        e -> {
          EncodeTextsResponse.Builder b =
              EncodeTextsResponse.newBuilder().setModel(e.model()).setDimension(e.dimension());
          for (float[] v : e.vectors()) {
            b.addEmbeddings(embedding(v));
          }
          return b.build();
        });
  }

  /**
   * Answers when {@code call} completes; a cancelled gRPC call (client gone or deadline passed)
   * cancels it, which frees its queued items.
   */
  private static <T> void answer(
      String rpc, CompletableFuture<Embeddings> call, StreamObserver<T> response,
      Function<Embeddings, T> toProto) {
    Context context = Context.current();
    Context.CancellationListener onCancel = c -> call.cancel(false);
    context.addListener(onCancel, Runnable::run);
    call.whenComplete(
        (result, error) -> {
          context.removeListener(onCancel);
          if (context.isCancelled()) {
            return; // the client has its status (CANCELLED or DEADLINE_EXCEEDED) already
          }
          if (error != null) {
            response.onError(Statuses.toStatus(rpc, error));
            return;
          }
          try {
            response.onNext(toProto.apply(result));
            response.onCompleted();
          } catch (RuntimeException e) {
            response.onError(Statuses.toStatus(rpc, e));
          }
        });
  }

  /** The call's gRPC deadline on {@link EncodingService#clock()}, or no deadline. */
  private long deadlineNanos() {
    Deadline d = Context.current().getDeadline();
    if (d == null) {
      return DynamicBatcher.NO_DEADLINE;
    }
    return encoding.clock().nanoTime() + d.timeRemaining(TimeUnit.NANOSECONDS);
  }

  static Embedding embedding(float[] v) {
    Embedding.Builder b = Embedding.newBuilder();
    for (float x : v) {
      b.addValues(x);
    }
    return b.build();
  }

  /** Stops work whose caller has gone or whose deadline has passed. */
  private static void checkAlive() {
    Context ctx = Context.current();
    if (ctx.getDeadline() != null && ctx.getDeadline().isExpired()) {
      throw Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded").asRuntimeException();
    }
    if (ctx.isCancelled()) {
      throw Status.CANCELLED.withDescription("call cancelled").asRuntimeException();
    }
  }
}
