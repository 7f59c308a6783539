package dev.clipserve.server;

import dev.clipserve.server.inference.ExecutionProvider;
import dev.clipserve.server.inference.InferenceRunner;
import dev.clipserve.server.preprocess.ImagePreprocessor;
import dev.clipserve.server.tokenize.ClipTokenizer;
import java.nio.file.Path;

/**
 * One model ready to serve: its manifest, what turns request items into model input, and the
 * runner that encodes batches.
 *
 * @param manifest the validated manifest
 * @param folder the model's folder in the repository
 * @param provider the execution provider its session runs on
 * @param onnxBytes size of the ONNX file in bytes
 * @param runner encodes batches (the ONNX session, or a batcher in front of it)
 * @param preprocessor image models: image to pixel tensor; null for text models
 * @param tokenizer text models: text to token ids; null for image models
 * @param takesAttentionMask whether the text model has an attention-mask input
 */
public record LoadedModel(
    ModelManifest manifest,
    Path folder,
    ExecutionProvider provider,
    long onnxBytes,
    InferenceRunner runner,
    ImagePreprocessor preprocessor,
    ClipTokenizer tokenizer,
    boolean takesAttentionMask) {

  /** The model's repository name. */
  public String name() {
    return manifest.name();
  }

  public Modality modality() {
    return manifest.modality();
  }

  public Role role() {
    return manifest.role();
  }
}
