package dev.clipserve.server.inference;

/**
 * How ONNX Runtime sessions are made.
 *
 * @param intraOpThreads threads one session uses inside an operator (0: ONNX Runtime's default,
 *     one per physical core)
 * @param interOpThreads threads one session uses across independent operators (0: ONNX Runtime's
 *     default)
 * @param provider which execution provider to try
 */
public record InferenceOptions(int intraOpThreads, int interOpThreads, ProviderPreference provider) {

  /** Validates the thread counts. */
  public InferenceOptions {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0");
    }
    if (provider == null) {
      throw new IllegalArgumentException("provider is required");
    }
  }

  /** ONNX Runtime's default threads, CUDA when it loads. */
  public static InferenceOptions defaults() {
    return new InferenceOptions(0, 0, ProviderPreference.AUTO);
  }
}
