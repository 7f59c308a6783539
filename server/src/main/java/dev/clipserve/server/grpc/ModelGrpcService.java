package dev.clipserve.server.grpc;

import dev.clipserve.api.v1.BatchingPolicy;
import dev.clipserve.api.v1.ExecutionProvider;
import dev.clipserve.api.v1.GetModelRequest;
import dev.clipserve.api.v1.GetModelResponse;
import dev.clipserve.api.v1.ListModelsRequest;
import dev.clipserve.api.v1.ListModelsResponse;
import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.api.v1.ModelRole;
import dev.clipserve.api.v1.ModelServiceGrpc;
import dev.clipserve.server.LoadedModel;
import dev.clipserve.server.ModelManifest;
import dev.clipserve.server.ModelRepository;
import dev.clipserve.server.Modality;
import dev.clipserve.server.Role;
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

  static ModelInfo info(LoadedModel m) {
    ModelManifest man = m.manifest();
    ModelManifest.Batching bp = man.batching();
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
            .setBatching(
                BatchingPolicy.newBuilder()
                    .setMaxBatchSize(bp.maxBatchSize())
                    .addAllPreferredBatchSizes(bp.preferredBatchSizes())
                    .setMaxQueueDelayUs(bp.maxQueueDelayMicros())
                    .setMaxQueueSize(bp.maxQueueSize())
                    .setDefaultTimeoutMs(bp.defaultTimeoutMillis()))
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
