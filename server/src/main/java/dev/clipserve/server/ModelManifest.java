package dev.clipserve.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's {@code manifest.json} (see docs/model-repository.md), parsed and checked on its own;
 * {@link ManifestCheck} compares it with the ONNX graph.
 *
 * @param name unique model name; equals its folder name
 * @param role teacher or student
 * @param modality image or text
 * @param embeddingSpace models with the same space give comparable vectors
 * @param architecture informational preset name ("" when absent)
 * @param onnxFile ONNX file relative to the model folder
 * @param dimension embedding width, > 0
 * @param inputs input role ({@code pixel_values}, {@code input_ids}, {@code attention_mask}) to
 *     ONNX input name
 * @param outputs output role ({@code embeddings}) to ONNX output name
 * @param image image section (image models; null for text models)
 * @param text text section (text models; null for image models)
 * @param batching batching policy (defaults when the manifest has none)
 * @param parameters parameter count (0: unknown)
 */
public record ModelManifest(
    String name,
    Role role,
    Modality modality,
    String embeddingSpace,
    String architecture,
    String onnxFile,
    int dimension,
    Map<String, String> inputs,
    Map<String, String> outputs,
    ImageSection image,
    TextSection text,
    Batching batching,
    long parameters) {

  /** Input role of an image model's pixel tensor. */
  public static final String PIXEL_VALUES = "pixel_values";
  /** Input role of a text model's token ids. */
  public static final String INPUT_IDS = "input_ids";
  /** Optional input role of a text model's attention mask. */
  public static final String ATTENTION_MASK = "attention_mask";
  /** Output role of the embeddings. */
  public static final String EMBEDDINGS = "embeddings";

  public ModelManifest {
    inputs = Map.copyOf(inputs);
    outputs = Map.copyOf(outputs);
  }

  /**
   * Image preprocessing parameters.
   *
   * @param size model input side in pixels (shortest side resized to it, then center-cropped)
   * @param resize resize filter; only {@code bicubic} is supported
   * @param mean per-channel RGB mean (3 values)
   * @param std per-channel RGB standard deviation (3 values, > 0)
   */
  public record ImageSection(int size, String resize, float[] mean, float[] std) {}

  /**
   * Tokenizer parameters.
   *
   * @param tokenizerFile Hugging Face {@code tokenizer.json}, relative to the model folder
   * @param contextLength tokens per text (pad or truncate to it)
   * @param padId id used for padding
   */
  public record TextSection(String tokenizerFile, int contextLength, long padId) {}

  /**
   * Batching policy, as in the proto's {@code BatchingPolicy}.
   *
   * @param maxBatchSize most items per inference call (default 16)
   * @param preferredBatchSizes sizes sent as soon as reached (default none)
   * @param maxQueueDelayMicros how long the oldest item may wait, in microseconds (default 0)
   * @param maxQueueSize most items waiting (0: server default)
   * @param defaultTimeoutMillis timeout for calls without a deadline, in ms (0: none)
   */
  public record Batching(
      int maxBatchSize,
      List<Integer> preferredBatchSizes,
      long maxQueueDelayMicros,
      int maxQueueSize,
      long defaultTimeoutMillis) {
    public Batching {
      preferredBatchSizes = List.copyOf(preferredBatchSizes);
    }

    /** The documented defaults. */
    public static Batching defaults() {
      return new Batching(16, List.of(), 0, 0, 0);
    }
  }

  /**
   * Parses and checks a manifest on its own (without the ONNX graph).
   *
   * @param json the manifest text
   * @param folderName the model's folder name, which must equal {@code name}
   * @throws ModelLoadException naming the model and the field on any problem
   */
  public static ModelManifest parse(String json, String folderName) {
    JsonObject root;
    try {
      JsonElement parsed = JsonParser.parseString(json);
      if (!parsed.isJsonObject()) {
        throw ModelLoadException.field(folderName, "manifest.json", "not a JSON object");
      }
      root = parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw ModelLoadException.field(folderName, "manifest.json", "not valid JSON: " + e.getMessage());
    }
    Reader r = new Reader(folderName);
    String name = r.string(root, "name", null);
    if (!name.equals(folderName)) {
      throw ModelLoadException.field(
          folderName, "name", "'" + name + "' must equal the folder name '" + folderName + "'");
    }
    Role role = r.enumValue(root, "role", Role.class);
    Modality modality = r.enumValue(root, "modality", Modality.class);
    String space = r.string(root, "embedding_space", null);
    String architecture = r.string(root, "architecture", "");
    String onnxFile = r.string(root, "onnx_file", "model.onnx");
    int dimension = r.positiveInt(root, "dimension", "dimension");
    Map<String, String> inputs = r.stringMap(root, "inputs");
    Map<String, String> outputs = r.stringMap(root, "outputs");
    if (!outputs.containsKey(EMBEDDINGS)) {
      throw ModelLoadException.field(name, "outputs.embeddings", "is required");
    }
    ImageSection image = null;
    TextSection text = null;
    if (modality == Modality.IMAGE) {
      if (!inputs.containsKey(PIXEL_VALUES)) {
        throw ModelLoadException.field(name, "inputs.pixel_values", "is required for an image model");
      }
      for (String key : inputs.keySet()) {
        if (!key.equals(PIXEL_VALUES)) {
          throw ModelLoadException.field(name, "inputs." + key, "unknown input role for an image model");
        }
      }
      JsonObject img = r.object(root, "image");
      String resize = r.string(img, "image.resize", "resize", "bicubic");
      if (!resize.equals("bicubic")) {
        throw ModelLoadException.field(name, "image.resize", "'" + resize + "' unsupported (only bicubic)");
      }
      image =
          new ImageSection(
              r.positiveInt(img, "image.size", "size"),
              resize,
              r.floats3(img, "image.mean", "mean", false),
              r.floats3(img, "image.std", "std", true));
    } else {
      if (!inputs.containsKey(INPUT_IDS)) {
        throw ModelLoadException.field(name, "inputs.input_ids", "is required for a text model");
      }
      for (String key : inputs.keySet()) {
        if (!key.equals(INPUT_IDS) && !key.equals(ATTENTION_MASK)) {
          throw ModelLoadException.field(name, "inputs." + key, "unknown input role for a text model");
        }
      }
      JsonObject txt = r.object(root, "text");
      text =
          new TextSection(
              r.string(txt, "text.tokenizer_file", "tokenizer_file", null),
              r.positiveInt(txt, "text.context_length", "context_length"),
              r.nonNegativeLong(txt, "text.pad_id", "pad_id", 0L));
    }
    Batching batching = Batching.defaults();
    if (root.has("batching") && !root.get("batching").isJsonNull()) {
      JsonObject b = r.object(root, "batching");
      List<Integer> preferred = new ArrayList<>();
      if (b.has("preferred_batch_sizes")) {
        JsonArray arr = r.array(b, "batching.preferred_batch_sizes", "preferred_batch_sizes");
        for (int i = 0; i < arr.size(); i++) {
          preferred.add((int) r.number(arr.get(i), "batching.preferred_batch_sizes[" + i + "]", 1, Integer.MAX_VALUE));
        }
      }
      batching =
          new Batching(
              (int) r.optionalNumber(b, "batching.max_batch_size", "max_batch_size", 16, 1, Integer.MAX_VALUE),
              preferred,
              r.optionalNumber(b, "batching.max_queue_delay_us", "max_queue_delay_us", 0, 0, Long.MAX_VALUE),
              (int) r.optionalNumber(b, "batching.max_queue_size", "max_queue_size", 0, 0, Integer.MAX_VALUE),
              r.optionalNumber(b, "batching.default_timeout_ms", "default_timeout_ms", 0, 0, Long.MAX_VALUE));
    }
    long parameters = r.optionalNumber(root, "parameters", "parameters", 0, 0, Long.MAX_VALUE);
    return new ModelManifest(
        name, role, modality, space, architecture, onnxFile, dimension, inputs, outputs, image, text,
        batching, parameters);
  }

  /** Field readers that fail with the model and the field path. */
  private static final class Reader {
    private final String model;

    Reader(String model) {
      this.model = model;
    }

    private ModelLoadException bad(String field, String problem) {
      return ModelLoadException.field(model, field, problem);
    }

    String string(JsonObject o, String key, String fallback) {
      return string(o, key, key, fallback);
    }

    String string(JsonObject o, String path, String key, String fallback) {
      JsonElement e = o.get(key);
      if (e == null || e.isJsonNull()) {
        if (fallback == null) {
          throw bad(path, "is required");
        }
        return fallback;
      }
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isBlank()) {
        throw bad(path, "must be a non-empty string");
      }
      return e.getAsString();
    }

    <E extends Enum<E>> E enumValue(JsonObject o, String key, Class<E> type) {
      String v = string(o, key, null);
      try {
        return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        List<String> allowed = new ArrayList<>();
        for (E c : type.getEnumConstants()) {
          allowed.add(c.name().toLowerCase(Locale.ROOT));
        }
        throw bad(key, "'" + v + "' is not one of " + allowed);
      }
    }

    int positiveInt(JsonObject o, String path, String key) {
      JsonElement e = o.get(key);
      if (e == null || e.isJsonNull()) {
        throw bad(path, "is required");
      }
      return (int) number(e, path, 1, Integer.MAX_VALUE);
    }

    long nonNegativeLong(JsonObject o, String path, String key, long fallback) {
      return optionalNumber(o, path, key, fallback, 0, Long.MAX_VALUE);
    }

    long optionalNumber(JsonObject o, String path, String key, long fallback, long min, long max) {
      JsonElement e = o.get(key);
      if (e == null || e.isJsonNull()) {
        return fallback;
      }
      return number(e, path, min, max);
    }

    long number(JsonElement e, String path, long min, long max) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
        throw bad(path, "must be an integer");
      }
      double d = e.getAsDouble();
      if (d != Math.rint(d)) {
        throw bad(path, "must be an integer, got " + e);
      }
      long v = e.getAsLong();
      if (v < min || v > max) {
        throw bad(path, "must be in " + min + ".." + max + ", got " + v);
      }
      return v;
    }

    JsonObject object(JsonObject o, String key) {
      JsonElement e = o.get(key);
      if (e == null || !e.isJsonObject()) {
        throw bad(key, "is required (an object)");
      }
      return e.getAsJsonObject();
    }

    JsonArray array(JsonObject o, String path, String key) {
      JsonElement e = o.get(key);
      if (e == null || !e.isJsonArray()) {
        throw bad(path, "must be an array");
      }
      return e.getAsJsonArray();
    }

    Map<String, String> stringMap(JsonObject o, String key) {
      JsonObject obj = object(o, key);
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> entry : obj.entrySet()) {
        JsonElement v = entry.getValue();
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString() || v.getAsString().isBlank()) {
          throw bad(key + "." + entry.getKey(), "must be a non-empty string (the ONNX name)");
        }
        out.put(entry.getKey(), v.getAsString());
      }
      return out;
    }

    float[] floats3(JsonObject o, String path, String key, boolean positive) {
      JsonArray arr = array(o, path, key);
      if (arr.size() != 3) {
        throw bad(path, "must have 3 values (R, G, B), got " + arr.size());
      }
      float[] out = new float[3];
      for (int i = 0; i < 3; i++) {
        JsonElement e = arr.get(i);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
          throw bad(path + "[" + i + "]", "must be a number");
        }
        out[i] = e.getAsFloat();
        if (!Float.isFinite(out[i]) || (positive && !(out[i] > 0))) {
          throw bad(path + "[" + i + "]", positive ? "must be > 0" : "must be finite");
        }
      }
      return out;
    }
  }
}
