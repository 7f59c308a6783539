package dev.clipserve.loadtest.eval;

import dev.clipserve.api.v1.DeleteImagesRequest;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.IndexImagesRequest;
import dev.clipserve.api.v1.IndexImagesResponse;
import dev.clipserve.api.v1.IndexItem;
import dev.clipserve.api.v1.IndexItemResult;
import dev.clipserve.api.v1.SearchRequest;
import dev.clipserve.api.v1.SearchResult;
import dev.clipserve.api.v1.SearchServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The eval images in the server's search index, for server-side search (recall@10, textness
 * grids, the search workload). Items are indexed under {@code loadtest-<id>} with metadata
 * {@code source=clipserve-loadtest} (searches filter on it, so other indexed images never mix in)
 * and deleted again by {@link #close()}. Not thread-safe.
 */
public final class ServerIndex implements AutoCloseable {
  /** Metadata key and value that mark the load test's items. */
  public static final Map<String, String> FILTER = Map.of("source", "clipserve-loadtest");

  private static final String PREFIX = "loadtest-";
  private static final int CHUNK = 32;

  private final SearchServiceGrpc.SearchServiceBlockingStub stub;
  private final Duration deadline;
  private final List<String> ids = new ArrayList<>();

  private ServerIndex(Channel channel, Duration deadline) {
    this.stub = SearchServiceGrpc.newBlockingStub(channel);
    this.deadline = deadline;
  }

  /**
   * Indexes the eval images; returns empty when the server has no SearchService (UNIMPLEMENTED).
   *
   * @throws StatusRuntimeException for any other failure
   */
  public static java.util.Optional<ServerIndex> create(Channel channel, EvalSet set,
      List<Image> images, Duration deadline) {
    ServerIndex index = new ServerIndex(channel, deadline);
    try {
      for (int from = 0; from < images.size(); from += CHUNK) {
        IndexImagesRequest.Builder req = IndexImagesRequest.newBuilder();
        for (int i = from; i < Math.min(images.size(), from + CHUNK); i++) {
          String id = PREFIX + set.items().get(i).id();
          req.addItems(IndexItem.newBuilder().setId(id).setImage(images.get(i))
              .putAllMetadata(FILTER));
          index.ids.add(id);
        }
        IndexImagesResponse r = index.stub().indexImages(req.build());
        for (IndexItemResult res : r.getResultsList()) {
          if (!res.getIndexed()) {
            throw Status.INTERNAL.withDescription("indexing " + res.getId() + " failed: "
                + res.getStatusMessage()).asRuntimeException();
          }
        }
      }
      return java.util.Optional.of(index);
    } catch (StatusRuntimeException e) {
      index.close();
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return java.util.Optional.empty();
      }
      throw e;
    }
  }

  private SearchServiceGrpc.SearchServiceBlockingStub stub() {
    return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Top-k eval item indices for a text query, searching {@code model}'s embeddings with a
   * textness scale (query side).
   *
   * @param position maps an indexed id back to its eval item index
   */
  public List<Integer> search(String text, String model, int k, double textness,
      Map<String, Integer> position) {
    List<Integer> out = new ArrayList<>();
    for (SearchResult r : stub().search(SearchRequest.newBuilder().setText(text).setModel(model)
        .setTopK(k).setTextnessScale(textness).putAllFilter(FILTER).build()).getResultsList()) {
      Integer i = position.get(r.getId().substring(PREFIX.length()));
      if (i != null) {
        out.add(i);
      }
    }
    return out;
  }

  /** Removes the load test's items from the index (best effort). */
  @Override
  public void close() {
    for (int from = 0; from < ids.size(); from += 256) {
      try {
        stub().deleteImages(DeleteImagesRequest.newBuilder()
            .addAllIds(ids.subList(from, Math.min(ids.size(), from + 256))).build());
      } catch (StatusRuntimeException e) {
        return;
      }
    }
    ids.clear();
  }
}
