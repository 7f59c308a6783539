package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelManifestTest {

  @Test
  void parsesAnImageManifest() {
    ModelManifest m = ManifestFixtures.parse(ManifestFixtures.image());
    assertEquals("teacher-image", m.name());
    assertEquals(Role.TEACHER, m.role());
    assertEquals(Modality.IMAGE, m.modality());
    assertEquals(32, m.dimension());
    assertEquals(32, m.image().size());
    assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, m.image().std());
    assertEquals(8, m.batching().maxBatchSize());
    assertEquals(List.of(4, 8), m.batching().preferredBatchSizes());
    assertEquals(500, m.batching().maxQueueDelayMicros());
    assertEquals(1234, m.parameters());
    assertNull(m.text());
  }

  @Test
  void parsesATextManifestWithDefaultBatching() {
    ModelManifest m = ManifestFixtures.parse(ManifestFixtures.text());
    assertEquals(Modality.TEXT, m.modality());
    assertEquals(16, m.text().contextLength());
    assertEquals("tokenizer.json", m.text().tokenizerFile());
    assertEquals(ModelManifest.Batching.defaults(), m.batching());
    assertEquals("", m.architecture());
  }

  @Test
  void nameMustEqualTheFolder() {
    var e = assertThrows(ModelLoadException.class,
        () -> ModelManifest.parse(ManifestFixtures.image().toString(), "other-folder"));
    assertMessage(e, "other-folder", "name");
  }

  @Test
  void missingDimensionIsNamed() {
    JsonObject o = ManifestFixtures.image();
    o.remove("dimension");
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestFixtures.parse(o)), "teacher-image", "dimension: is required");
  }

  @Test
  void unknownRoleIsNamed() {
    JsonObject o = ManifestFixtures.image();
    o.addProperty("role", "assistant");
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestFixtures.parse(o)), "teacher-image", "role");
  }

  @Test
  void imageStdMustBePositive() {
    JsonObject o = ManifestFixtures.image();
    JsonArray std = new JsonArray();
    std.add(0.2);
    std.add(0);
    std.add(0.2);
    o.getAsJsonObject("image").add("std", std);
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestFixtures.parse(o)), "teacher-image", "image.std[1]");
  }

  @Test
  void imageModelNeedsPixelValuesInput() {
    JsonObject o = ManifestFixtures.image();
    o.add("inputs", new JsonObject());
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestFixtures.parse(o)), "teacher-image", "inputs.pixel_values");
  }

  @Test
  void textModelNeedsTextSection() {
    JsonObject o = ManifestFixtures.text();
    o.remove("text");
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestFixtures.parse(o)), "teacher-text", "text");
  }

  @Test
  void onlyBicubicResizeIsSupported() {
    JsonObject o = ManifestFixtures.image();
    o.getAsJsonObject("image").addProperty("resize", "nearest");
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestFixtures.parse(o)), "teacher-image", "image.resize");
  }

  @Test
  void invalidJsonIsReported() {
    var e = assertThrows(ModelLoadException.class, () -> ModelManifest.parse("{", "m"));
    assertMessage(e, "m", "manifest.json");
  }

  static void assertMessage(Exception e, String model, String field) {
    assertTrue(e.getMessage().startsWith("model '" + model + "': "), e.getMessage());
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }
}
