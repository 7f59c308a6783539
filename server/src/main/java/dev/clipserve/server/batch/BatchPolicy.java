package dev.clipserve.server.batch;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * How items for one model are grouped into batches (after Triton's {@code dynamic_batching}).
 * Every value here is the one in force: zeros from a manifest or flag are resolved by
 * {@link #resolve} before a policy is built.
 *
 * @param maxBatchSize most items in one inference call, {@code >= 1}. Manifest default
 *     {@value #DEFAULT_MAX_BATCH_SIZE}; 0 in a manifest means 1 (batching off).
 * @param preferredBatchSizes sizes sent as soon as that many items wait, ascending, each in
 *     {@code [1, maxBatchSize]}. Default none: a batch goes at {@code maxBatchSize} or when the
 *     delay is spent.
 * @param maxQueueDelay how long the <em>oldest</em> waiting item may wait for a fuller batch,
 *     counted from its arrival. Default and 0: send whatever is queued as soon as an executor is
 *     free (batches still form while executors are busy).
 * @param maxQueueSize most items waiting (not yet running) per model; a request that would exceed
 *     it is refused whole. 0 in a manifest means {@value #DEFAULT_MAX_QUEUE_SIZE}.
 * @param defaultTimeout deadline for calls that carry none, counted from arrival. Default and 0:
 *     no timeout.
 */
public record BatchPolicy(
    int maxBatchSize,
    List<Integer> preferredBatchSizes,
    Duration maxQueueDelay,
    int maxQueueSize,
    Duration defaultTimeout) {

  /** {@code max_batch_size} when a manifest has no {@code batching} block. */
  public static final int DEFAULT_MAX_BATCH_SIZE = 16;

  /** {@code max_queue_size} used for 0 (keeps memory bounded under any offered load). */
  public static final int DEFAULT_MAX_QUEUE_SIZE = 1024;

  /** The policy of a manifest without a {@code batching} block. */
  public static final BatchPolicy DEFAULT = resolve(DEFAULT_MAX_BATCH_SIZE, List.of(), 0, 0, 0);

  public BatchPolicy {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max_batch_size must be >= 1, got " + maxBatchSize);
    }
    Objects.requireNonNull(preferredBatchSizes, "preferredBatchSizes");
    TreeSet<Integer> sorted = new TreeSet<>();
    for (Integer p : preferredBatchSizes) {
      if (p == null || p < 1 || p > maxBatchSize) {
        throw new IllegalArgumentException(
            "preferred_batch_sizes: " + p + " is not in [1, max_batch_size=" + maxBatchSize + "]");
      }
      sorted.add(p);
    }
    preferredBatchSizes = List.copyOf(sorted);
    Objects.requireNonNull(maxQueueDelay, "maxQueueDelay");
    if (maxQueueDelay.isNegative()) {
      throw new IllegalArgumentException("max_queue_delay must be >= 0, got " + maxQueueDelay);
    }
    if (maxQueueSize < 1) {
      throw new IllegalArgumentException("max_queue_size must be >= 1, got " + maxQueueSize);
    }
    Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    if (defaultTimeout.isNegative()) {
      throw new IllegalArgumentException("default_timeout must be >= 0, got " + defaultTimeout);
    }
  }

  /**
   * Builds the policy in force from manifest/config units, resolving zeros as documented on the
   * record: {@code maxBatchSize} 0 means 1, {@code maxQueueSize} 0 means {@link
   * #DEFAULT_MAX_QUEUE_SIZE}, delay and timeout 0 mean none.
   *
   * @throws IllegalArgumentException naming the field for negative or inconsistent values
   */
  public static BatchPolicy resolve(
      int maxBatchSize,
      List<Integer> preferredBatchSizes,
      long maxQueueDelayMicros,
      int maxQueueSize,
      long defaultTimeoutMillis) {
    if (maxBatchSize < 0) {
      throw new IllegalArgumentException("max_batch_size must be >= 0, got " + maxBatchSize);
    }
    if (maxQueueSize < 0) {
      throw new IllegalArgumentException("max_queue_size must be >= 0, got " + maxQueueSize);
    }
    if (maxQueueDelayMicros < 0) {
      throw new IllegalArgumentException("max_queue_delay_us must be >= 0");
    }
    if (defaultTimeoutMillis < 0) {
      throw new IllegalArgumentException("default_timeout_ms must be >= 0");
    }
    return new BatchPolicy(
        Math.max(1, maxBatchSize),
        preferredBatchSizes,
        Duration.ofNanos(Math.multiplyExact(maxQueueDelayMicros, 1000L)),
        maxQueueSize == 0 ? DEFAULT_MAX_QUEUE_SIZE : maxQueueSize,
        Duration.ofMillis(defaultTimeoutMillis));
  }

  /** A copy with another {@code maxBatchSize}; preferred sizes above it are dropped. */
  public BatchPolicy withMaxBatchSize(int newMax) {
    return new BatchPolicy(
        newMax,
        preferredBatchSizes.stream().filter(p -> p <= newMax).toList(),
        maxQueueDelay,
        maxQueueSize,
        defaultTimeout);
  }

  /** {@link #maxQueueDelay} in nanoseconds, saturated at {@link Long#MAX_VALUE}. */
  public long maxQueueDelayNanos() {
    return saturatedNanos(maxQueueDelay);
  }

  /** {@link #defaultTimeout} in nanoseconds; 0 means no timeout. */
  public long defaultTimeoutNanos() {
    return saturatedNanos(defaultTimeout);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
