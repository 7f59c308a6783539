package dev.clipserve.client;

import com.google.protobuf.ByteString;
import dev.clipserve.api.v1.EncodeImagesRequest;
import dev.clipserve.api.v1.EncodeImagesResponse;
import dev.clipserve.api.v1.EncodeTextsRequest;
import dev.clipserve.api.v1.EncodeTextsResponse;
import dev.clipserve.api.v1.Embedding;
import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.api.v1.GetModelRequest;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.ListModelsRequest;
import dev.clipserve.api.v1.Modality;
import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.api.v1.ModelServiceGrpc;
import dev.clipserve.api.v1.RawImage;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A typed client for a clipserve server. Failures surface as {@link io.grpc.StatusRuntimeException}
 * with the server's status code and message (e.g. INVALID_ARGUMENT "images[3].encoded: ...").
 *
 * <p>Thread-safe. A client made by {@link #connect} owns its channel and {@link #close} shuts it
 * down; one made from a {@link Channel} leaves the channel to its owner.
 */
public final class ClipserveClient implements AutoCloseable {
  private final Channel channel;
  private final ManagedChannel owned;
  private final Duration deadline;

  /** One raw RGB image: {@code height * width * 3} bytes, row-major HWC. */
  public record Raw(int height, int width, byte[] rgb) {}

  /**
   * The server's answer.
   *
   * @param model repository name of the model that answered
   * @param dimension length of every vector
   * @param embeddings one L2-normalized vector per item, in request order
   */
  public record Result(String model, int dimension, List<float[]> embeddings) {}

  private ClipserveClient(Channel channel, ManagedChannel owned, Duration deadline) {
    this.channel = channel;
    this.owned = owned;
    this.deadline = deadline;
  }

  /** Uses {@code channel} (not closed by this client); no deadline. */
  public ClipserveClient(Channel channel) {
    this(channel, null, null);
  }

  /**
   * Connects in plaintext to {@code target} ({@code host:port}, or any gRPC target string such as
   * {@code dns:///clipserve:50051}); the client owns the channel.
   */
  public static ClipserveClient connect(String target) {
    ManagedChannel ch =
        ManagedChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(256 << 20).build();
    return new ClipserveClient(ch, ch, null);
  }

  /** A client on the same channel whose calls each get {@code timeout} as deadline. */
  public ClipserveClient withDeadline(Duration timeout) {
    return new ClipserveClient(channel, null, timeout);
  }

  /** Encodes image files (PNG, JPEG, ...) with {@code model} ("teacher", "student" or a name). */
  public Result encodeImages(String model, List<byte[]> images) {
    EncodeImagesRequest.Builder b = EncodeImagesRequest.newBuilder().setModel(model);
    for (byte[] img : images) {
      b.addImages(Image.newBuilder().setEncoded(ByteString.copyFrom(img)));
    }
    return encodeImages(b.build());
  }

  /** Encodes raw RGB tensors with {@code model}. */
  public Result encodeRaw(String model, List<Raw> images) {
    EncodeImagesRequest.Builder b = EncodeImagesRequest.newBuilder().setModel(model);
    for (Raw r : images) {
      b.addImages(
          Image.newBuilder()
              .setRaw(
                  RawImage.newBuilder()
                      .setHeight(r.height())
                      .setWidth(r.width())
                      .setRgb(ByteString.copyFrom(r.rgb()))));
    }
    return encodeImages(b.build());
  }

  /** Sends a prepared request as is. */
  public Result encodeImages(EncodeImagesRequest request) {
    EncodeImagesResponse r = encoder().encodeImages(request);
    return new Result(r.getModel(), r.getDimension(), vectors(r.getEmbeddingsList()));
  }

  /** Encodes texts with {@code model} ("teacher" or a text model's name). */
  public Result encodeTexts(String model, List<String> texts) {
    return encodeTexts(EncodeTextsRequest.newBuilder().setModel(model).addAllTexts(texts).build());
  }

  /** Sends a prepared request as is. */
  public Result encodeTexts(EncodeTextsRequest request) {
    EncodeTextsResponse r = encoder().encodeTexts(request);
    return new Result(r.getModel(), r.getDimension(), vectors(r.getEmbeddingsList()));
  }

  /** Every loaded model, sorted by name. */
  public List<ModelInfo> listModels() {
    return models().listModels(ListModelsRequest.getDefaultInstance()).getModelsList();
  }

  /** One model by name, or "teacher"/"student" for the image model of that role. */
  public ModelInfo getModel(String model) {
    return getModel(model, Modality.MODALITY_UNSPECIFIED);
  }

  /** One model by name, or "teacher"/"student" for the model of that role and modality. */
  public ModelInfo getModel(String model, Modality modality) {
    return models()
        .getModel(GetModelRequest.newBuilder().setModel(model).setModality(modality).build())
        .getModel();
  }

  private EncoderServiceGrpc.EncoderServiceBlockingStub encoder() {
    EncoderServiceGrpc.EncoderServiceBlockingStub s = EncoderServiceGrpc.newBlockingStub(channel);
    return deadline == null ? s : s.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  private ModelServiceGrpc.ModelServiceBlockingStub models() {
    ModelServiceGrpc.ModelServiceBlockingStub s = ModelServiceGrpc.newBlockingStub(channel);
    return deadline == null ? s : s.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static List<float[]> vectors(List<Embedding> embeddings) {
    List<float[]> out = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      float[] v = new float[e.getValuesCount()];
      for (int i = 0; i < v.length; i++) {
        v[i] = e.getValues(i);
      }
      out.add(v);
    }
    return out;
  }

  /** Shuts down the channel if this client owns it, waiting up to 5 s. */
  @Override
  public void close() {
    if (owned != null) {
      owned.shutdown();
      try {
        if (!owned.awaitTermination(5, TimeUnit.SECONDS)) {
          owned.shutdownNow();
        }
      } catch (InterruptedException e) {
        owned.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
