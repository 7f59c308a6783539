package dev.clipserve.server;

import dev.clipserve.server.inference.TensorSignature;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Compares a manifest with the ONNX graph's real inputs and outputs (names, element types, ranks,
 * fixed dimensions). A pure function: no files, no sessions.
 */
public final class ManifestCheck {
  private ManifestCheck() {}

  /**
   * @param inputs the graph's inputs as the session reports them
   * @param outputs the graph's outputs
   * @throws ModelLoadException naming the model and the manifest field on the first mismatch
   */
  public static void check(ModelManifest m, List<TensorSignature> inputs, List<TensorSignature> outputs) {
    String model = m.name();
    for (TensorSignature in : inputs) {
      if (!m.inputs().containsValue(in.name())) {
        throw ModelLoadException.field(
            model, "inputs", "the ONNX graph's input '" + in.name() + "' is not named in the manifest");
      }
    }
    for (Map.Entry<String, String> e : m.inputs().entrySet()) {
      String field = "inputs." + e.getKey();
      TensorSignature t = find(inputs, e.getValue(), model, field, "input");
      if (e.getKey().equals(ModelManifest.PIXEL_VALUES)) {
        int size = m.image().size();
        expect(model, field, t, "FLOAT", 4);
        expectDim(model, field, t, 1, 3, "3 (RGB)");
        expectDim(model, "image.size", t, 2, size, String.valueOf(size));
        expectDim(model, "image.size", t, 3, size, String.valueOf(size));
      } else {
        int ctx = m.text().contextLength();
        expect(model, field, t, "INT64", 2);
        expectDim(model, "text.context_length", t, 1, ctx, String.valueOf(ctx));
      }
    }
    String field = "outputs." + ModelManifest.EMBEDDINGS;
    TensorSignature out = find(outputs, m.outputs().get(ModelManifest.EMBEDDINGS), model, field, "output");
    expect(model, field, out, "FLOAT", 2);
    expectDim(model, "dimension", out, 1, m.dimension(), String.valueOf(m.dimension()));
  }

  private static TensorSignature find(
      List<TensorSignature> list, String onnxName, String model, String field, String kind) {
    Optional<TensorSignature> t = list.stream().filter(s -> s.name().equals(onnxName)).findFirst();
    if (t.isEmpty()) {
      String names = list.stream().map(TensorSignature::name).collect(Collectors.joining(", ", "[", "]"));
      throw ModelLoadException.field(
          model, field, "the ONNX graph has no " + kind + " '" + onnxName + "' (its " + kind + "s: " + names + ")");
    }
    return t.get();
  }

  private static void expect(String model, String field, TensorSignature t, String type, int rank) {
    if (!t.elementType().equals(type)) {
      throw ModelLoadException.field(
          model, field, "ONNX tensor '" + t.name() + "' is " + t.elementType() + ", expected " + type);
    }
    if (t.rank() != rank) {
      throw ModelLoadException.field(
          model, field, "ONNX tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
              + " (rank " + t.rank() + "), expected rank " + rank);
    }
    if (t.dim(0) != -1) {
      throw ModelLoadException.field(
          model, field, "ONNX tensor '" + t.name() + "' has a fixed batch axis " + Arrays.toString(t.shape())
              + "; export it with a dynamic batch axis");
    }
  }

  private static void expectDim(
      String model, String field, TensorSignature t, int axis, long expected, String what) {
    long actual = t.dim(axis);
    if (actual != -1 && actual != expected) {
      throw ModelLoadException.field(
          model, field, "manifest says " + what + " but ONNX tensor '" + t.name() + "' has shape "
              + Arrays.toString(t.shape()) + " (axis " + axis + " = " + actual + ")");
    }
  }
}
