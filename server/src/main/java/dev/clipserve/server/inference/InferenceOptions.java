package dev.clipserve.server.inference;

/**
 * How ONNX Runtime sessions are made.
 *
 * @param intraOpThreads threads one session uses inside an operator (0: ONNX Runtime's default,
 *     one per physical core)
 * @param interOpThreads threads one session uses across independent operators (0: ONNX Runtime's
 *     default)
 * @param provider which execution provider to try
 * @param spinning whether idle intra-op threads busy-wait for the next operator (ONNX Runtime's
 *     default) instead of sleeping; off by default here because the server's own threads share the
 *     cores (measured: batch-1 throughput through the server rose from ~12 to ~21 img/s on 2 busy
 *     cores with it off)
 */
public record InferenceOptions(
    int intraOpThreads, int interOpThreads, ProviderPreference provider, boolean spinning) {

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
    return new InferenceOptions(0, 0, ProviderPreference.AUTO, false);
  }
}
