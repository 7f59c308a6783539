package dev.clipserve.loadtest.eval;

import dev.clipserve.api.v1.EncodeImagesRequest;
import dev.clipserve.api.v1.EncodeImagesResponse;
import dev.clipserve.api.v1.EncodeTextsRequest;
import dev.clipserve.api.v1.EncodeTextsResponse;
import dev.clipserve.api.v1.Embedding;
import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.api.v1.Image;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Fetches embeddings from the server in chunks, blocking. Not thread-safe (use one per thread). */
public final class EmbeddingFetcher {
  private final EncoderServiceGrpc.EncoderServiceBlockingStub stub;
  private final int chunk;
  private final Duration deadline;

  /**
   * @param chunk items per request (at most the server's max_items_per_request)
   * @param deadline per request
   */
  public EmbeddingFetcher(EncoderServiceGrpc.EncoderServiceBlockingStub stub, int chunk,
      Duration deadline) {
    this.stub = stub;
    this.chunk = chunk;
    this.deadline = deadline;
  }

  /** Embeds every image with {@code model}; row i belongs to images[i]. */
  public float[][] images(String model, List<Image> images) {
    float[][] out = new float[images.size()][];
    for (int from = 0; from < images.size(); from += chunk) {
      List<Image> part = images.subList(from, Math.min(images.size(), from + chunk));
      EncodeImagesResponse r = stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .encodeImages(EncodeImagesRequest.newBuilder().setModel(model).addAllImages(part)
              .build());
      copy(r.getEmbeddingsList(), out, from);
    }
    return out;
  }

  /** Embeds every text with {@code model}; row i belongs to texts[i]. */
  public float[][] texts(String model, List<String> texts) {
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < texts.size(); from += chunk) {
      List<String> part = texts.subList(from, Math.min(texts.size(), from + chunk));
      EncodeTextsResponse r = stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .encodeTexts(EncodeTextsRequest.newBuilder().setModel(model).addAllTexts(part).build());
      copy(r.getEmbeddingsList(), out, from);
    }
    return out;
  }

  private static void copy(List<Embedding> embeddings, float[][] out, int from) {
    for (int i = 0; i < embeddings.size(); i++) {
      List<Float> values = embeddings.get(i).getValuesList();
      float[] v = new float[values.size()];
      for (int j = 0; j < v.length; j++) {
        v[j] = values.get(j);
      }
      out[from + i] = v;
    }
  }
}
