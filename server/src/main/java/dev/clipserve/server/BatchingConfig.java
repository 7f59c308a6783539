package dev.clipserve.server;

import dev.clipserve.server.batch.BatchPolicy;
import java.util.List;

/**
 * Server-wide batching settings: overrides of every model's manifest {@code batching} block, and
 * how each model's batches run. See docs/batching.md for every knob.
 *
 * @param maxBatchSize overrides {@code max_batch_size} for every model (-1: keep the manifest's;
 *     0 or 1: batching off)
 * @param preferredBatchSizes overrides {@code preferred_batch_sizes} (null: keep the manifest's;
 *     empty: none)
 * @param maxQueueDelayMicros overrides {@code max_queue_delay_us} (-1: keep the manifest's; 0: no
 *     waiting)
 * @param maxQueueSize overrides {@code max_queue_size} in items (-1: keep the manifest's; 0: the
 *     default of {@value BatchPolicy#DEFAULT_MAX_QUEUE_SIZE})
 * @param defaultTimeoutMillis overrides {@code default_timeout_ms} (-1: keep the manifest's; 0:
 *     no timeout)
 * @param executors batches of one model that may run at once (default 1, at least 1)
 * @param sessionPerExecutor give each executor its own ONNX Runtime session (default false: the
 *     executors share one session; see docs/batching.md for the measurement)
 * @param preprocessThreads threads that decode, resize and tokenize before the queue (default 0:
 *     one per available processor)
 * @param preprocessQueue calls that may wait for a preprocessing thread; more are refused with
 *     RESOURCE_EXHAUSTED (default 1024)
 */
public record BatchingConfig(
    int maxBatchSize,
    List<Integer> preferredBatchSizes,
    long maxQueueDelayMicros,
    int maxQueueSize,
    long defaultTimeoutMillis,
    int executors,
    boolean sessionPerExecutor,
    int preprocessThreads,
    int preprocessQueue) {

  /** No overrides, one executor on a shared session, default pools. */
  public static final BatchingConfig DEFAULTS =
      new BatchingConfig(-1, null, -1, -1, -1, 1, false, 0, 1024);

  public BatchingConfig {
    if (executors < 1) {
      throw new ServerConfig.ConfigException("--batch-executors must be >= 1, got " + executors);
    }
    if (preprocessThreads < 0) {
      throw new ServerConfig.ConfigException("--preprocess-threads must be >= 0, got " + preprocessThreads);
    }
    if (preprocessQueue < 1) {
      throw new ServerConfig.ConfigException("--preprocess-queue must be >= 1, got " + preprocessQueue);
    }
    preferredBatchSizes = preferredBatchSizes == null ? null : List.copyOf(preferredBatchSizes);
  }

  /** A copy with another {@code max_batch_size} override. */
  public BatchingConfig withMaxBatchSize(int newMax) {
    return new BatchingConfig(
        newMax, preferredBatchSizes, maxQueueDelayMicros, maxQueueSize, defaultTimeoutMillis,
        executors, sessionPerExecutor, preprocessThreads, preprocessQueue);
  }

  /** A copy with another executor layout. */
  public BatchingConfig withExecutors(int newExecutors, boolean newSessionPerExecutor) {
    return new BatchingConfig(
        maxBatchSize, preferredBatchSizes, maxQueueDelayMicros, maxQueueSize, defaultTimeoutMillis,
        newExecutors, newSessionPerExecutor, preprocessThreads, preprocessQueue);
  }

  /**
   * The policy in force for a model: the manifest's values with these overrides applied.
   *
   * @throws ServerConfig.ConfigException naming the model when the result is inconsistent
   */
  public BatchPolicy policyFor(ModelManifest manifest) {
    ModelManifest.Batching b = manifest.batching();
    int max = maxBatchSize >= 0 ? maxBatchSize : b.maxBatchSize();
    List<Integer> preferred = preferredBatchSizes;
    if (preferred == null) {
      // the manifest's preferred sizes above an overridden maximum no longer apply
      int effectiveMax = Math.max(1, max);
      preferred = b.preferredBatchSizes().stream().filter(p -> p <= effectiveMax).toList();
    }
    try {
      return BatchPolicy.resolve(
          max,
          preferred,
          maxQueueDelayMicros >= 0 ? maxQueueDelayMicros : b.maxQueueDelayMicros(),
          maxQueueSize >= 0 ? maxQueueSize : b.maxQueueSize(),
          defaultTimeoutMillis >= 0 ? defaultTimeoutMillis : b.defaultTimeoutMillis());
    } catch (IllegalArgumentException e) {
      throw new ServerConfig.ConfigException("model " + manifest.name() + ": batching." + e.getMessage());
    }
  }
}
