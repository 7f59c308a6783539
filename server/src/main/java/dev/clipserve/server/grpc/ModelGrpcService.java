package dev.clipserve.server.grpc;

import dev.clipserve.api.v1.BatchingPolicy;
import dev.clipserve.api.v1.Distribution;
import dev.clipserve.api.v1.GetModelStatsRequest;
import dev.clipserve.api.v1.GetModelStatsResponse;
import dev.clipserve.api.v1.ModelStats;
import dev.clipserve.api.v1.ExecutionProvider;
import dev.clipserve.api.v1.GetModelRequest;
import dev.clipserve.api.v1.GetModelResponse;
import dev.clipserve.api.v1.ListModelsRequest;
import dev.clipserve.api.v1.ListModelsResponse;
import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.api.v1.ModelRole;
import dev.clipserve.api.v1.ModelServiceGrpc;
import dev.clipserve.server.BatchedModel;
import dev.clipserve.server.LoadedModel;
import dev.clipserve.server.ModelManifest;
import dev.clipserve.server.ModelRepository;
import dev.clipserve.server.Modality;
import dev.clipserve.server.Role;
import dev.clipserve.server.batch.BatchPolicy;
import dev.clipserve.server.batch.BatcherStats;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** gRPC adapter for {@code clipserve.v1.ModelService}. */
public final class ModelGrpcService extends ModelServiceGrpc.ModelServiceImplBase {
  private final Supplier<ModelRepository> repository;

  /** @param repository the loaded models; may throw UnavailableException while loading */
  public ModelGrpcService(Supplier<ModelRepository> repository) {
    this.repository = repository;
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> response) {
    try {
      ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
      for (LoadedModel m : repository.get().models()) {
        b.addModels(info(m));
      }
      response.onNext(b.build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(Statuses.toStatus("ListModels", e));
    }
  }

  @Override
  public void getModel(GetModelRequest request, StreamObserver<GetModelResponse> response) {
    try {
      Modality modality =
          request.getModality() == dev.clipserve.api.v1.Modality.MODALITY_TEXT ? Modality.TEXT : Modality.IMAGE;
      LoadedModel m = repository.get().resolve(request.getModel(), modality);
      response.onNext(GetModelResponse.newBuilder().setModel(info(m)).build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(Statuses.toStatus("GetModel", e));
    }
  }

  @Override
  public void getModelStats(GetModelStatsRequest request, StreamObserver<GetModelStatsResponse> response) {
    try {
      Modality modality =
          request.getModality() == dev.clipserve.api.v1.Modality.MODALITY_TEXT ? Modality.TEXT : Modality.IMAGE;
      LoadedModel m = repository.get().resolve(request.getModel(), modality);
      response.onNext(GetModelStatsResponse.newBuilder().setStats(stats(m)).build());
      response.onCompleted();
    } catch (Exception e) {
      response.onError(Statuses.toStatus("GetModelStats", e));
    }
  }

  static ModelStats stats(LoadedModel m) {
    ModelStats.Builder b = ModelStats.newBuilder().setModel(m.name());
    if (m.runner() instanceof BatchedModel batched) {
      BatcherStats s = batched.stats();
      b.setBatchSize(distribution(s.batchSize()))
          .setQueueWaitUs(distribution(s.queueWaitMicros()))
          .setInferenceUs(distribution(s.inferenceMicros()))
          .setEndToEndUs(distribution(s.endToEndMicros()))
          .setRejectedItems(s.rejectedItems())
          .setExpiredItems(s.expiredItems())
          .setCancelledItems(s.cancelledItems())
          .setQueuedItems(batched.queuedItems())
          .setExecutors(batched.executors())
          .setSessionPerExecutor(batched.sessionPerExecutor());
    }
    return b.build();
  }

  private static Distribution distribution(BatcherStats.Distribution d) {
    return Distribution.newBuilder()
        .setCount(d.count())
        .setMean(d.mean())
        .setSum(d.sum())
        .setP50(d.p50())
        .setP90(d.p90())
        .setP99(d.p99())
        .setMax(d.max())
        .build();
  }

  static ModelInfo info(LoadedModel m) {
    ModelManifest man = m.manifest();
    BatchingPolicy batching;
    if (m.runner() instanceof BatchedModel batched) {
      BatchPolicy p = batched.policy();
      batching =
          BatchingPolicy.newBuilder()
              .setMaxBatchSize(p.maxBatchSize())
              .addAllPreferredBatchSizes(p.preferredBatchSizes())
              .setMaxQueueDelayUs(p.maxQueueDelayNanos() / 1000)
              .setMaxQueueSize(p.maxQueueSize())
              .setDefaultTimeoutMs(p.defaultTimeout().toMillis())
              .build();
    } else {
      ModelManifest.Batching bp = man.batching();
      batching =
          BatchingPolicy.newBuilder()
              .setMaxBatchSize(bp.maxBatchSize())
              .addAllPreferredBatchSizes(bp.preferredBatchSizes())
              .setMaxQueueDelayUs(bp.maxQueueDelayMicros())
              .setMaxQueueSize(bp.maxQueueSize())
              .setDefaultTimeoutMs(bp.defaultTimeoutMillis())
              .build();
    }
    ModelInfo.Builder b =
        ModelInfo.newBuilder()
            .setName(m.name())
            .setRole(m.role() == Role.TEACHER ? ModelRole.MODEL_ROLE_TEACHER : ModelRole.MODEL_ROLE_STUDENT)
            .setModality(
                m.modality() == Modality.IMAGE
                    ? dev.clipserve.api.v1.Modality.MODALITY_IMAGE
                    : dev.clipserve.api.v1.Modality.MODALITY_TEXT)
            .setEmbeddingSpace(man.embeddingSpace())
            .setDimension(man.dimension())
            .setExecutionProvider(
                switch (m.provider()) {
                  case CPU -> ExecutionProvider.EXECUTION_PROVIDER_CPU;
                  case CUDA -> ExecutionProvider.EXECUTION_PROVIDER_CUDA;
                })
            .setBatching(batching)
            .setArchitecture(man.architecture())
            .setParameters(man.parameters())
            .setOnnxBytes(m.onnxBytes());
    if (man.image() != null) {
      b.setImageSize(man.image().size());
    }
    if (man.text() != null) {
      b.setContextLength(man.text().contextLength());
    }
    return b.build();
  }
}
