package dev.clipserve.loadtest.workload;

import dev.clipserve.api.v1.SearchRequest;
import dev.clipserve.api.v1.SearchServiceGrpc;
import dev.clipserve.loadtest.run.RequestSender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Search calls (one text query each, cycling through a list) against one image model's
 * embeddings, top-k with a textness scale. Counts one item per call. Thread-safe.
 */
public final class SearchWorkload implements RequestSender {
  private final SearchServiceGrpc.SearchServiceFutureStub stub;
  private final String model;
  private final List<String> queries;
  private final int topK;
  private final double textness;
  private final Duration deadline;

  public SearchWorkload(SearchServiceGrpc.SearchServiceFutureStub stub, String model,
      List<String> queries, int topK, double textness, Duration deadline) {
    if (queries.isEmpty() || topK <= 0) {
      throw new IllegalArgumentException("need queries and topK > 0");
    }
    this.stub = stub;
    this.model = model;
    this.queries = List.copyOf(queries);
    this.topK = topK;
    this.textness = textness;
    this.deadline = deadline;
  }

  @Override
  public CompletableFuture<Integer> send(long sequence) {
    SearchRequest request = SearchRequest.newBuilder()
        .setText(queries.get((int) Math.floorMod(sequence, (long) queries.size())))
        .setModel(model)
        .setTopK(topK)
        .setTextnessScale(textness)
        .build();
    return Calls.items(
        stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS).search(request),
        r -> 1);
  }
}
