package dev.clipserve.server.inference;

/**
 * Runs batches of preprocessed input through one model. The seam between preprocessing and the
 * ONNX session: a dynamic batcher can implement it by queueing items and calling the session's
 * runner with larger batches.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface InferenceRunner {

  /**
   * Encodes every item of the batch.
   *
   * @return {@code input.count()} L2-normalized embeddings, in input order
   * @throws InferenceException when the runtime fails; only this call is affected
   */
  float[][] run(ModelInput input);
}
