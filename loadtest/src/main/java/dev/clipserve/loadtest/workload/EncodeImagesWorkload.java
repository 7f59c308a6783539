package dev.clipserve.loadtest.workload;

import dev.clipserve.api.v1.EncodeImagesRequest;
import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.loadtest.run.RequestSender;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * EncodeImages calls of {@code imagesPerCall} images each, cycling through a corpus, with a
 * per-call deadline so every call ends. Thread-safe.
 */
public final class EncodeImagesWorkload implements RequestSender {
  private final EncoderServiceGrpc.EncoderServiceFutureStub stub;
  private final String model;
  private final ImageCorpus corpus;
  private final int imagesPerCall;
  private final Duration deadline;

  public EncodeImagesWorkload(EncoderServiceGrpc.EncoderServiceFutureStub stub, String model,
      ImageCorpus corpus, int imagesPerCall, Duration deadline) {
    if (imagesPerCall <= 0) {
      throw new IllegalArgumentException("imagesPerCall must be > 0");
    }
    this.stub = stub;
    this.model = model;
    this.corpus = corpus;
    this.imagesPerCall = imagesPerCall;
    this.deadline = deadline;
  }

  @Override
  public CompletableFuture<Integer> send(long sequence) {
    EncodeImagesRequest.Builder request = EncodeImagesRequest.newBuilder().setModel(model);
    for (int j = 0; j < imagesPerCall; j++) {
      request.addImages(corpus.get(sequence * imagesPerCall + j));
    }
    return Calls.items(
        stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
            .encodeImages(request.build()),
        r -> r.getEmbeddingsCount());
  }
}
