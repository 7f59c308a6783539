package dev.clipserve.server;

import static dev.clipserve.server.ModelManifestTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import dev.clipserve.server.inference.TensorSignature;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestCheckTest {
  static final List<TensorSignature> IMAGE_IN =
      List.of(new TensorSignature("pixel_values", "FLOAT", new long[] {-1, 3, 32, 32}));
  static final List<TensorSignature> IMAGE_OUT =
      List.of(new TensorSignature("image_embeds", "FLOAT", new long[] {-1, 32}));
  static final List<TensorSignature> TEXT_IN =
      List.of(new TensorSignature("input_ids", "INT64", new long[] {-1, 16}));
  static final List<TensorSignature> TEXT_OUT =
      List.of(new TensorSignature("text_embeds", "FLOAT", new long[] {-1, 32}));

  final ModelManifest image = ManifestFixtures.parse(ManifestFixtures.image());
  final ModelManifest text = ManifestFixtures.parse(ManifestFixtures.text());

  @Test
  void acceptsMatchingGraphs() {
    assertDoesNotThrow(() -> ManifestCheck.check(image, IMAGE_IN, IMAGE_OUT));
    assertDoesNotThrow(() -> ManifestCheck.check(text, TEXT_IN, TEXT_OUT));
  }

  @Test
  void acceptsDynamicSpatialDims() {
    var in = List.of(new TensorSignature("pixel_values", "FLOAT", new long[] {-1, 3, -1, -1}));
    assertDoesNotThrow(() -> ManifestCheck.check(image, in, IMAGE_OUT));
  }

  @Test
  void wrongImageSizeNamesImageSize() {
    JsonObject o = ManifestFixtures.image();
    o.getAsJsonObject("image").addProperty("size", 224);
    var m = ManifestFixtures.parse(o);
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestCheck.check(m, IMAGE_IN, IMAGE_OUT)),
        "teacher-image", "image.size: manifest says 224");
  }

  @Test
  void wrongDimensionNamesDimension() {
    JsonObject o = ManifestFixtures.image();
    o.addProperty("dimension", 512);
    var m = ManifestFixtures.parse(o);
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestCheck.check(m, IMAGE_IN, IMAGE_OUT)),
        "teacher-image", "dimension: manifest says 512");
  }

  @Test
  void wrongContextLengthNamesContextLength() {
    JsonObject o = ManifestFixtures.text();
    o.getAsJsonObject("text").addProperty("context_length", 77);
    var m = ManifestFixtures.parse(o);
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestCheck.check(m, TEXT_IN, TEXT_OUT)),
        "teacher-text", "text.context_length");
  }

  @Test
  void unknownInputNameNamesTheInputRole() {
    JsonObject o = ManifestFixtures.image();
    o.getAsJsonObject("inputs").addProperty("pixel_values", "pixels");
    var m = ManifestFixtures.parse(o);
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestCheck.check(m, IMAGE_IN, IMAGE_OUT)),
        "teacher-image", "inputs");
  }

  @Test
  void unknownOutputNameNamesTheOutputRole() {
    JsonObject o = ManifestFixtures.image();
    o.getAsJsonObject("outputs").addProperty("embeddings", "embeds");
    var m = ManifestFixtures.parse(o);
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestCheck.check(m, IMAGE_IN, IMAGE_OUT)),
        "teacher-image", "outputs.embeddings: the ONNX graph has no output 'embeds'");
  }

  @Test
  void wrongElementTypeIsNamed() {
    var in = List.of(new TensorSignature("input_ids", "INT32", new long[] {-1, 16}));
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestCheck.check(text, in, TEXT_OUT)),
        "teacher-text", "inputs.input_ids: ONNX tensor 'input_ids' is INT32, expected INT64");
  }

  @Test
  void wrongRankIsNamed() {
    var in = List.of(new TensorSignature("pixel_values", "FLOAT", new long[] {-1, 3, 32}));
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestCheck.check(image, in, IMAGE_OUT)),
        "teacher-image", "inputs.pixel_values");
  }

  @Test
  void graphInputMissingFromManifestIsNamed() {
    var in = List.of(TEXT_IN.get(0), new TensorSignature("attention_mask", "INT64", new long[] {-1, 16}));
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestCheck.check(text, in, TEXT_OUT)),
        "teacher-text", "inputs: the ONNX graph's input 'attention_mask'");
  }

  @Test
  void fixedBatchAxisIsRefused() {
    var in = List.of(new TensorSignature("pixel_values", "FLOAT", new long[] {1, 3, 32, 32}));
    assertMessage(assertThrows(ModelLoadException.class, () -> ManifestCheck.check(image, in, IMAGE_OUT)),
        "teacher-image", "dynamic batch axis");
  }
}
