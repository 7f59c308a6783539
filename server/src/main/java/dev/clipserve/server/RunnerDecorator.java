package dev.clipserve.server;

import dev.clipserve.server.inference.InferenceRunner;
import java.util.function.Supplier;

/**
 * Puts something in front of a model's ONNX runner when the repository loads it (the dynamic
 * batcher does). If the returned runner is {@link AutoCloseable} the repository closes it before
 * the session.
 */
@FunctionalInterface
public interface RunnerDecorator {
  /** No decoration: requests run straight on the session. */
  RunnerDecorator NONE = (manifest, runner) -> runner;

  InferenceRunner decorate(ModelManifest manifest, InferenceRunner sessionRunner);

  /**
   * Like {@link #decorate(ModelManifest, InferenceRunner)}, with a way to open more sessions of
   * the same model (each call opens one; the repository closes them). The default ignores it.
   */
  default InferenceRunner decorate(
      ModelManifest manifest, InferenceRunner sessionRunner, Supplier<InferenceRunner> openSession) {
    return decorate(manifest, sessionRunner);
  }
}
