package dev.clipserve.loadtest.workload;

import dev.clipserve.api.v1.EncodeTextsRequest;
import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.loadtest.run.RequestSender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** EncodeTexts calls of {@code textsPerCall} texts each, cycling through a list. Thread-safe. */
public final class EncodeTextsWorkload implements RequestSender {
  private final EncoderServiceGrpc.EncoderServiceFutureStub stub;
  private final String model;
  private final List<String> texts;
  private final int textsPerCall;
  private final Duration deadline;

  public EncodeTextsWorkload(EncoderServiceGrpc.EncoderServiceFutureStub stub, String model,
      List<String> texts, int textsPerCall, Duration deadline) {
    if (texts.isEmpty() || textsPerCall <= 0) {
      throw new IllegalArgumentException("need texts and textsPerCall > 0");
    }
    this.stub = stub;
    this.model = model;
    this.texts = List.copyOf(texts);
    this.textsPerCall = textsPerCall;
    this.deadline = deadline;
  }

  @Override
  public CompletableFuture<Integer> send(long sequence) {
    EncodeTextsRequest.Builder request = EncodeTextsRequest.newBuilder().setModel(model);
    for (int j = 0; j < textsPerCall; j++) {
      request.addTexts(texts.get((int) Math.floorMod(sequence * textsPerCall + j, texts.size())));
    }
    return Calls.items(
        stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
            .encodeTexts(request.build()),
        r -> r.getEmbeddingsCount());
  }
}
