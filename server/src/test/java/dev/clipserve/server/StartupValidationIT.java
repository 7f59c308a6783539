package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A manifest that disagrees with its real ONNX file stops start-up, naming model and field. */
class StartupValidationIT {
  @TempDir Path repo;

  @Test
  void wrongImageSizeStopsStartUpNamingModelAndField() throws IOException {
    copyModel("tiny-teacher-image");
    edit("tiny-teacher-image", m -> m.getAsJsonObject("image").addProperty("size", 224));
    var e = assertThrows(ModelLoadException.class, () -> TestServer.start(ServerConfig.defaults(repo)));
    assertTrue(e.getMessage().startsWith("model 'tiny-teacher-image': image.size: manifest says 224"), e.getMessage());
  }

  @Test
  void wrongDimensionStopsStartUpNamingModelAndField() throws IOException {
    copyModel("tiny-teacher-text");
    edit("tiny-teacher-text", m -> m.addProperty("dimension", 512));
    var e = assertThrows(ModelLoadException.class, () -> TestServer.start(ServerConfig.defaults(repo)));
    assertTrue(e.getMessage().startsWith("model 'tiny-teacher-text': dimension: manifest says 512"), e.getMessage());
  }

  @Test
  void wrongOutputNameStopsStartUpNamingModelAndField() throws IOException {
    copyModel("tiny-student-image");
    edit("tiny-student-image", m -> m.getAsJsonObject("outputs").addProperty("embeddings", "logits"));
    var e = assertThrows(ModelLoadException.class, () -> TestServer.start(ServerConfig.defaults(repo)));
    assertTrue(e.getMessage().startsWith("model 'tiny-student-image': outputs.embeddings:"), e.getMessage());
  }

  @Test
  void missingOnnxFileStopsStartUp() throws IOException {
    copyModel("tiny-student-image");
    Files.delete(repo.resolve("tiny-student-image/model.onnx"));
    var e = assertThrows(ModelLoadException.class, () -> TestServer.start(ServerConfig.defaults(repo)));
    assertTrue(e.getMessage().startsWith("model 'tiny-student-image': onnx_file:"), e.getMessage());
  }

  @Test
  void emptyRepositoryStopsStartUp() {
    var e = assertThrows(ModelLoadException.class, () -> TestServer.start(ServerConfig.defaults(repo)));
    assertTrue(e.getMessage().contains("has no models"), e.getMessage());
  }

  @Test
  void aRepositoryWithOnlyTheStudentServesIt() throws Exception {
    copyModel("tiny-student-image");
    try (TestServer ts = TestServer.start(ServerConfig.defaults(repo))) {
      assertEquals(List.of("tiny-student-image"), ts.client.listModels().stream().map(m -> m.getName()).toList());
      var e = assertThrows(StatusRuntimeException.class, () -> ts.client.encodeTexts("teacher", List.of("a cat")));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }
  }

  private void copyModel(String name) throws IOException {
    Path from = TestServer.MODELS.resolve(name);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path to = repo.resolve(name).resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
  }

  private void edit(String name, java.util.function.Consumer<JsonObject> change) throws IOException {
    Path manifest = repo.resolve(name).resolve("manifest.json");
    JsonObject m = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
    change.accept(m);
    Files.writeString(manifest, m.toString());
  }
}
