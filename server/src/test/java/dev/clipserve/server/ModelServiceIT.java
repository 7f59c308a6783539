package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipserve.api.v1.ExecutionProvider;
import dev.clipserve.api.v1.Modality;
import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.api.v1.ModelRole;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** ModelService, health and reflection on the tiny test models. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelServiceIT {
  TestServer ts;

  @BeforeAll
  void start() throws IOException {
    ts = TestServer.start(ServerConfig.defaults(TestServer.MODELS));
  }

  @AfterAll
  void stop() throws InterruptedException {
    ts.close();
  }

  @Test
  void listsEveryModelSortedByNameWithItsDescription() {
    List<ModelInfo> models = ts.client.listModels();
    assertEquals(List.of("tiny-student-image", "tiny-teacher-image", "tiny-teacher-text"),
        models.stream().map(ModelInfo::getName).toList());
    ModelInfo student = models.get(0);
    assertEquals(ModelRole.MODEL_ROLE_STUDENT, student.getRole());
    assertEquals(Modality.MODALITY_IMAGE, student.getModality());
    assertEquals(32, student.getDimension());
    assertEquals(32, student.getImageSize());
    assertEquals(0, student.getContextLength());
    assertEquals(ExecutionProvider.EXECUTION_PROVIDER_CPU, student.getExecutionProvider());
    assertEquals(16, student.getBatching().getMaxBatchSize());
    assertTrue(student.getOnnxBytes() > 0);
    assertTrue(student.getParameters() > 0);
    ModelInfo text = models.get(2);
    assertEquals(ModelRole.MODEL_ROLE_TEACHER, text.getRole());
    assertEquals(Modality.MODALITY_TEXT, text.getModality());
    assertEquals(16, text.getContextLength());
    assertEquals(student.getEmbeddingSpace(), text.getEmbeddingSpace());
  }

  @Test
  void getModelResolvesRolesByModality() {
    assertEquals("tiny-teacher-image", ts.client.getModel("teacher").getName());
    assertEquals("tiny-teacher-text", ts.client.getModel("teacher", Modality.MODALITY_TEXT).getName());
    assertEquals("tiny-student-image", ts.client.getModel("student").getName());
    assertEquals("tiny-teacher-text", ts.client.getModel("tiny-teacher-text").getName());
  }

  @Test
  void getModelOfUnknownNameIsNotFound() {
    var e = assertThrows(StatusRuntimeException.class, () -> ts.client.getModel("nope"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  @Test
  void getModelWithEmptyNameIsInvalid() {
    var e = assertThrows(StatusRuntimeException.class, () -> ts.client.getModel(""));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("model: "));
  }

  @Test
  void healthIsServingOnceModelsAreLoaded() {
    var health = HealthGrpc.newBlockingStub(ts.channel);
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
    for (String service : ClipServer.SERVICES) {
      assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus());
    }
  }

  @Test
  void reflectionListsTheServices() throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(ts.channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse r) {
                    names.complete(r.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    names.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> services = names.get(10, TimeUnit.SECONDS);
    requests.onCompleted();
    assertTrue(services.containsAll(List.of("clipserve.v1.EncoderService", "clipserve.v1.ModelService", "grpc.health.v1.Health")), services.toString());
  }
}
