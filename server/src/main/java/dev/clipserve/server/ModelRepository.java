package dev.clipserve.server;

import ai.onnxruntime.OrtException;
import dev.clipserve.server.inference.InferenceRunner;
import dev.clipserve.server.inference.OnnxEncoder;
import dev.clipserve.server.inference.OnnxSession;
import dev.clipserve.server.inference.OrtRuntime;
import dev.clipserve.server.preprocess.ImagePreprocessor;
import dev.clipserve.server.preprocess.ImageSpec;
import dev.clipserve.server.tokenize.ClipTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded models of one repository folder, and how request names resolve to them (see
 * docs/model-repository.md, "Names a request can use").
 *
 * <p>Immutable after {@link #load}; thread-safe. Owns the sessions, tokenizers and decorated
 * runners: {@link #close} frees them.
 */
public final class ModelRepository implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);

  private final List<LoadedModel> models;
  private final List<AutoCloseable> resources;

  ModelRepository(List<LoadedModel> models, List<AutoCloseable> resources) {
    this.models = models.stream().sorted(Comparator.comparing(LoadedModel::name)).toList();
    this.resources = List.copyOf(resources);
  }

  /**
   * Loads every subfolder of {@code dir} that holds a {@code manifest.json}, in name order.
   *
   * @param maxImagePixels pixel limit handed to each image model's preprocessor
   * @param decorator wraps each model's session runner (e.g. a batcher)
   * @throws ModelLoadException naming the model and field on the first problem; everything loaded
   *     so far is closed first
   */
  public static ModelRepository load(
      Path dir, OrtRuntime runtime, long maxImagePixels, RunnerDecorator decorator) {
    if (!Files.isDirectory(dir)) {
      throw new ModelLoadException("model repository " + dir.toAbsolutePath() + " is not a folder");
    }
    List<Path> folders;
    try (Stream<Path> s = Files.list(dir)) {
      folders =
          s.filter(p -> Files.isRegularFile(p.resolve("manifest.json")))
              .sorted(Comparator.comparing(p -> p.getFileName().toString()))
              .toList();
    } catch (IOException e) {
      throw new ModelLoadException("cannot list model repository " + dir + ": " + e.getMessage(), e);
    }
    if (folders.isEmpty()) {
      throw new ModelLoadException(
          "model repository " + dir.toAbsolutePath() + " has no models (no subfolder with a manifest.json)");
    }
    List<LoadedModel> models = new ArrayList<>();
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      for (Path folder : folders) {
        models.add(loadOne(folder, runtime, maxImagePixels, decorator, resources));
      }
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
    warnOnAmbiguousAliases(models);
    return new ModelRepository(models, resources);
  }

  private static LoadedModel loadOne(
      Path folder, OrtRuntime runtime, long maxImagePixels, RunnerDecorator decorator,
      List<AutoCloseable> resources) {
    String folderName = folder.getFileName().toString();
    String json;
    try {
      json = Files.readString(folder.resolve("manifest.json"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ModelLoadException.field(folderName, "manifest.json", "cannot read: " + e.getMessage());
    }
    ModelManifest m = ModelManifest.parse(json, folderName);
    Path onnx = folder.resolve(m.onnxFile());
    if (!Files.isRegularFile(onnx)) {
      throw ModelLoadException.field(m.name(), "onnx_file", "no such file: " + onnx);
    }
    long onnxBytes;
    try {
      onnxBytes = Files.size(onnx);
    } catch (IOException e) {
      throw ModelLoadException.field(m.name(), "onnx_file", "cannot read: " + e.getMessage());
    }
    OnnxSession session;
    try {
      session = runtime.open(m.name(), onnx);
    } catch (OrtException e) {
      throw ModelLoadException.field(m.name(), "onnx_file", "ONNX Runtime cannot load it: " + e.getMessage());
    }
    resources.add(session);
    ManifestCheck.check(m, session.inputs(), session.outputs());

    ImagePreprocessor preprocessor = null;
    ClipTokenizer tokenizer = null;
    long[] itemShape;
    String inputName;
    String maskName = null;
    if (m.modality() == Modality.IMAGE) {
      ModelManifest.ImageSection img = m.image();
      preprocessor = new ImagePreprocessor(new ImageSpec(img.size(), img.mean(), img.std()), maxImagePixels);
      itemShape = new long[] {3, img.size(), img.size()};
      inputName = m.inputs().get(ModelManifest.PIXEL_VALUES);
    } else {
      ModelManifest.TextSection txt = m.text();
      Path tokenizerFile = folder.resolve(txt.tokenizerFile());
      try {
        tokenizer = ClipTokenizer.load(tokenizerFile, txt.contextLength(), txt.padId());
      } catch (IOException | RuntimeException e) {
        throw ModelLoadException.field(m.name(), "text.tokenizer_file", "cannot load " + tokenizerFile + ": " + e.getMessage());
      }
      resources.add(tokenizer);
      itemShape = new long[] {txt.contextLength()};
      inputName = m.inputs().get(ModelManifest.INPUT_IDS);
      maskName = m.inputs().get(ModelManifest.ATTENTION_MASK);
    }
    OnnxEncoder encoder =
        new OnnxEncoder(
            m.name(), runtime.environment(), session, inputName, maskName,
            m.outputs().get(ModelManifest.EMBEDDINGS), itemShape, m.dimension());
    InferenceRunner runner = decorator.decorate(m, encoder);
    if (runner != encoder && runner instanceof AutoCloseable c) {
      // closed before the session: resources close in reverse order
      resources.add(c);
    }
    log.info(
        "model {}: {} {} {}, dimension {}, {} ({} bytes)", m.name(), m.role().name().toLowerCase(Locale.ROOT),
        m.modality().label(), m.architecture(), m.dimension(), session.provider(), onnxBytes);
    return new LoadedModel(
        m, folder, session.provider(), onnxBytes, runner, preprocessor, tokenizer, maskName != null);
  }

  /** Every model, sorted by name. */
  public List<LoadedModel> models() {
    return models;
  }

  /**
   * Resolves a request's model name: a model's exact name first; otherwise {@code teacher} or
   * {@code student} (any case) pick the model of that role and {@code modality}, the first by name
   * if several.
   *
   * @param modality the modality the request needs (the exact-name match ignores it; the caller
   *     checks it)
   * @throws InvalidRequestException for an empty name, or a role that exists only for the other
   *     modality (e.g. texts for "student")
   * @throws ModelNotFoundException when nothing answers to the name
   */
  public LoadedModel resolve(String requested, Modality modality) {
    return resolve(models, requested, modality);
  }

  static LoadedModel resolve(List<LoadedModel> models, String requested, Modality modality) {
    if (requested == null || requested.isBlank()) {
      throw new InvalidRequestException("model", "required (\"teacher\", \"student\" or a model name)");
    }
    for (LoadedModel m : models) {
      if (m.name().equals(requested)) {
        return m;
      }
    }
    Role role;
    switch (requested.trim().toLowerCase(Locale.ROOT)) {
      case "teacher" -> role = Role.TEACHER;
      case "student" -> role = Role.STUDENT;
      default -> throw new ModelNotFoundException(
          "model: no model named '" + requested + "' (known: teacher, student, "
              + String.join(", ", models.stream().map(LoadedModel::name).toList()) + ")");
    }
    boolean otherModality = false;
    for (LoadedModel m : models) {
      if (m.role() == role) {
        if (m.modality() == modality) {
          return m;
        }
        otherModality = true;
      }
    }
    if (otherModality) {
      String hint = role == Role.STUDENT && modality == Modality.TEXT
          ? " (the student has no text tower: encode texts with \"teacher\")" : "";
      throw new InvalidRequestException(
          "model", "'" + requested + "' has no " + modality.label() + " model" + hint);
    }
    throw new ModelNotFoundException("model: no " + requested + " model is loaded");
  }

  private static void warnOnAmbiguousAliases(List<LoadedModel> models) {
    for (Role role : Role.values()) {
      for (Modality modality : Modality.values()) {
        List<String> names =
            models.stream()
                .filter(m -> m.role() == role && m.modality() == modality)
                .map(LoadedModel::name)
                .sorted()
                .toList();
        if (names.size() > 1) {
          log.warn(
              "several {} {} models {}: \"{}\" resolves to {}", role.name().toLowerCase(Locale.ROOT),
              modality.label(), names, role.name().toLowerCase(Locale.ROOT), names.get(0));
        }
      }
    }
  }

  @Override
  public void close() {
    closeAll(resources);
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", resources.get(i), e.toString());
      }
    }
  }
}
