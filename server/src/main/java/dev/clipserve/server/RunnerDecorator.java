package dev.clipserve.server;

import dev.clipserve.server.inference.InferenceRunner;

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
}
