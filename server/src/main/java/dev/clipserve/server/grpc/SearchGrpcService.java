package dev.clipserve.server.grpc;

import dev.clipserve.api.v1.DeleteImagesRequest;
import dev.clipserve.api.v1.DeleteImagesResponse;
import dev.clipserve.api.v1.GetIndexStatsRequest;
import dev.clipserve.api.v1.GetIndexStatsResponse;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.IndexImagesRequest;
import dev.clipserve.api.v1.IndexImagesResponse;
import dev.clipserve.api.v1.IndexItem;
import dev.clipserve.api.v1.IndexItemResult;
import dev.clipserve.api.v1.LabeledExample;
import dev.clipserve.api.v1.SearchRequest;
import dev.clipserve.api.v1.SearchResponse;
import dev.clipserve.api.v1.SearchResult;
import dev.clipserve.api.v1.SearchServiceGrpc;
import dev.clipserve.api.v1.TrainTextnessRequest;
import dev.clipserve.api.v1.TrainTextnessResponse;
import dev.clipserve.server.ImageInput;
import dev.clipserve.server.index.SearchHit;
import dev.clipserve.server.search.ImageSearch;
import dev.clipserve.server.search.SearchRequestException;
import dev.clipserve.server.search.TextnessTarget;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/** gRPC adapter for {@code clipserve.v1.SearchService}: proto to domain ({@link ImageSearch}) to proto. */
public final class SearchGrpcService extends SearchServiceGrpc.SearchServiceImplBase {
  private final ImageSearch search;

  public SearchGrpcService(ImageSearch search) {
    this.search = search;
  }

  @Override
  public void indexImages(IndexImagesRequest request, StreamObserver<IndexImagesResponse> response) {
    try {
      checkAlive();
      List<ImageSearch.IndexRequestItem> items = new ArrayList<>(request.getItemsCount());
      for (IndexItem it : request.getItemsList()) {
        items.add(new ImageSearch.IndexRequestItem(it.getId(), it.hasImage() ? image(it.getImage()) : null,
            it.getMetadataMap()));
      }
      ImageSearch.IndexOutcome out = search.index(request.getEmbeddingSpace(), items);
      IndexImagesResponse.Builder b = IndexImagesResponse.newBuilder()
          .setEmbeddingSpace(out.space()).addAllModels(out.models());
      for (ImageSearch.ItemResult r : out.results()) {
        b.addResults(IndexItemResult.newBuilder().setId(r.id()).setIndexed(r.indexed())
            .setStatusCode(r.statusCode()).setStatusMessage(r.message()));
      }
      response.onNext(b.build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(toStatus("IndexImages", e));
    }
  }

  @Override
  public void deleteImages(DeleteImagesRequest request, StreamObserver<DeleteImagesResponse> response) {
    try {
      checkAlive();
      ImageSearch.DeleteOutcome out = search.delete(request.getEmbeddingSpace(), request.getIdsList());
      response.onNext(DeleteImagesResponse.newBuilder().addAllDeletedIds(out.deleted())
          .addAllMissingIds(out.missing()).build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(toStatus("DeleteImages", e));
    }
  }

  @Override
  public void getIndexStats(GetIndexStatsRequest request, StreamObserver<GetIndexStatsResponse> response) {
    try {
      ImageSearch.Stats s = search.stats(request.getEmbeddingSpace());
      response.onNext(GetIndexStatsResponse.newBuilder().setEmbeddingSpace(s.space()).setItems(s.index().items())
          .putAllItemsPerModel(s.index().itemsPerModel()).setBytesOnDisk(s.index().bytesOnDisk())
          .setTextnessVersion(s.textnessVersion()).setTextnessTrainedOn(s.textnessTrainedOn())
          .setExactBelow(s.exactBelow()).build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(toStatus("GetIndexStats", e));
    }
  }

  @Override
  public void search(SearchRequest request, StreamObserver<SearchResponse> response) {
    try {
      checkAlive();
      ImageSearch.Query query = switch (request.getQueryCase()) {
        case TEXT -> new ImageSearch.TextQuery(request.getText());
        case IMAGE -> new ImageSearch.ImageQuery(image(request.getImage()));
        case VECTOR -> new ImageSearch.VectorQuery(toArray(request.getVector().getValuesList()));
        default -> throw SearchRequestException.invalid("query", "required: one of text, image or vector");
      };
      TextnessTarget target = switch (request.getTextnessTarget()) {
        case TEXTNESS_TARGET_IMAGES -> TextnessTarget.IMAGES;
        case TEXTNESS_TARGET_QUERY, TEXTNESS_TARGET_UNSPECIFIED -> TextnessTarget.QUERY;
        default -> throw SearchRequestException.invalid("textness_target",
            "unknown value " + request.getTextnessTargetValue());
      };
      long pool = Integer.toUnsignedLong(request.getCandidatePool());
      ImageSearch.SearchOutcome out = search.search(request.getEmbeddingSpace(), query, new ImageSearch.SearchParams(
          request.getModel(), request.getTopK(), request.getTextnessScale(), target, request.getFilterMap(),
          (int) Math.min(pool, Integer.MAX_VALUE)));
      checkAlive();
      SearchResponse.Builder b = SearchResponse.newBuilder().setModel(out.model()).setQueryModel(out.queryModel())
          .setTextnessVersion(out.textnessVersion());
      for (SearchHit h : out.hits()) {
        b.addResults(SearchResult.newBuilder().setId(h.id()).setScore(h.score()).putAllMetadata(h.metadata())
            .setModel(h.model()));
      }
      response.onNext(b.build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(toStatus("Search", e));
    }
  }

  @Override
  public void trainTextness(TrainTextnessRequest request, StreamObserver<TrainTextnessResponse> response) {
    try {
      checkAlive();
      List<ImageSearch.Example> examples = new ArrayList<>(request.getExamplesCount());
      for (LabeledExample ex : request.getExamplesList()) {
        examples.add(switch (ex.getSourceCase()) {
          case IMAGE -> new ImageSearch.Example(image(ex.getImage()), null, ex.getHasText());
          case ID -> new ImageSearch.Example(null, ex.getId(), ex.getHasText());
          default -> new ImageSearch.Example(null, null, ex.getHasText());
        });
      }
      long epochs = Integer.toUnsignedLong(request.getEpochs());
      ImageSearch.TrainOutcome out = search.train(request.getEmbeddingSpace(), request.getModel(), examples,
          request.getValidationFraction(), (int) Math.min(epochs, Integer.MAX_VALUE));
      var fit = out.training().fit();
      response.onNext(TrainTextnessResponse.newBuilder().setEmbeddingSpace(out.space())
          .setVersion(out.training().stored().version()).setTrainAccuracy(fit.trainAccuracy())
          .setValidationAccuracy(fit.valAccuracy()).setTrainCount(fit.trainCount())
          .setValidationCount(fit.valCount()).setTrainedOn(out.trainedOn())
          .setRawNorm(out.training().stored().rawNorm()).build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(toStatus("TrainTextness", e));
    }
  }

  private static ImageInput image(Image image) {
    return switch (image.getDataCase()) {
      case ENCODED -> new ImageInput.Encoded(image.getEncoded().toByteArray());
      case RAW -> new ImageInput.Raw(Integer.toUnsignedLong(image.getRaw().getHeight()),
          Integer.toUnsignedLong(image.getRaw().getWidth()), image.getRaw().getRgb().toByteArray());
      default -> null;
    };
  }

  private static float[] toArray(List<Float> values) {
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i);
    }
    return v;
  }

  private static StatusRuntimeException toStatus(String rpc, Exception e) {
    if (e instanceof SearchRequestException s) {
      Status status = switch (s.kind()) {
        case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
        case NOT_FOUND -> Status.NOT_FOUND;
        case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      };
      return status.withDescription(s.getMessage()).asRuntimeException();
    }
    return Statuses.toStatus(rpc, e);
  }

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
