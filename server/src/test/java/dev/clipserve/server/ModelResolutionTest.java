package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.clipserve.server.inference.ExecutionProvider;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelResolutionTest {
  final List<LoadedModel> models =
      List.of(
          model("student-image", "student", "image"),
          model("teacher-image", "teacher", "image"),
          model("teacher-text", "teacher", "text"));

  @Test
  void exactNameWinsWhateverTheModality() {
    assertEquals("teacher-text", ModelRepository.resolve(models, "teacher-text", Modality.IMAGE).name());
  }

  @Test
  void teacherResolvesByModality() {
    assertEquals("teacher-image", ModelRepository.resolve(models, "teacher", Modality.IMAGE).name());
    assertEquals("teacher-text", ModelRepository.resolve(models, "teacher", Modality.TEXT).name());
    assertEquals("teacher-image", ModelRepository.resolve(models, "Teacher", Modality.IMAGE).name());
  }

  @Test
  void studentResolvesToTheStudentImageModel() {
    assertEquals("student-image", ModelRepository.resolve(models, "student", Modality.IMAGE).name());
  }

  @Test
  void studentTextIsAnInvalidArgumentPointingToTheTeacher() {
    var e = assertThrows(InvalidRequestException.class, () -> ModelRepository.resolve(models, "student", Modality.TEXT));
    assertTrue(e.getMessage().startsWith("model: "), e.getMessage());
    assertTrue(e.getMessage().contains("teacher"), e.getMessage());
  }

  @Test
  void unknownNameIsNotFound() {
    var e = assertThrows(ModelNotFoundException.class, () -> ModelRepository.resolve(models, "vit-l-14", Modality.IMAGE));
    assertTrue(e.getMessage().contains("vit-l-14"), e.getMessage());
  }

  @Test
  void missingRoleIsNotFound() {
    var onlyTeacher = List.of(models.get(1));
    assertThrows(ModelNotFoundException.class, () -> ModelRepository.resolve(onlyTeacher, "student", Modality.IMAGE));
  }

  @Test
  void emptyNameIsAnInvalidArgument() {
    var e = assertThrows(InvalidRequestException.class, () -> ModelRepository.resolve(models, "", Modality.IMAGE));
    assertTrue(e.getMessage().startsWith("model: required"), e.getMessage());
  }

  @Test
  void severalModelsOfOneRolePickTheFirstByName() {
    var two = List.of(model("a-student", "student", "image"), model("b-student", "student", "image"));
    assertEquals("a-student", ModelRepository.resolve(two, "student", Modality.IMAGE).name());
  }

  private static LoadedModel model(String name, String role, String modality) {
    JsonObject o = modality.equals("image") ? ManifestFixtures.image() : ManifestFixtures.text();
    o.addProperty("name", name);
    o.addProperty("role", role);
    ModelManifest m = ManifestFixtures.parse(o);
    return new LoadedModel(m, Path.of(name), ExecutionProvider.CPU, 1, input -> new float[0][], null, null, false);
  }
}
