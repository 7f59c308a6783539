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
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/** gRPC adapter for {@code clipserve.v1.EncoderService}: proto to domain to proto. */
public final class EncoderGrpcService extends EncoderServiceGrpc.EncoderServiceImplBase {
  private final EncodingService encoding;

  public EncoderGrpcService(EncodingService encoding) {
    this.encoding = encoding;
  }

  @Override
  public void encodeImages(EncodeImagesRequest request, StreamObserver<EncodeImagesResponse> response) {
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
      Embeddings e = encoding.encodeImages(request.getModel(), images);
      checkAlive();
      EncodeImagesResponse.Builder b =
          EncodeImagesResponse.newBuilder().setModel(e.model()).setDimension(e.dimension());
      for (float[] v : e.vectors()) {
        b.addEmbeddings(embedding(v));
      }
      response.onNext(b.build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(Statuses.toStatus("EncodeImages", e));
    }
  }

  @Override
  public void encodeTexts(EncodeTextsRequest request, StreamObserver<EncodeTextsResponse> response) {
    try {
      checkAlive();
      Embeddings e = encoding.encodeTexts(request.getModel(), request.getTextsList());
      checkAlive();
      EncodeTextsResponse.Builder b =
          EncodeTextsResponse.newBuilder().setModel(e.model()).setDimension(e.dimension());
      for (float[] v : e.vectors()) {
        b.addEmbeddings(embedding(v));
      }
      response.onNext(b.build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(Statuses.toStatus("EncodeTexts", e));
    }
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
