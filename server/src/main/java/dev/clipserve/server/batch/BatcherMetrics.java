package dev.clipserve.server.batch;

/**
 * Where a batcher reports what it does. Implementations must be thread-safe and cheap (called on
 * the dispatch and executor threads, never under the batcher's lock). {@link #NOOP} is the
 * default.
 */
public interface BatcherMetrics {

  /** Records nothing. */
  BatcherMetrics NOOP = new BatcherMetrics() {};

  /** A batch of {@code items} items was sent to a runner. */
  default void batchSent(int items) {}

  /** An item waited {@code nanos} between arrival and being sent. */
  default void queueWait(long nanos) {}

  /** A runner call took {@code nanos}. */
  default void inference(long nanos) {}

  /** A call was answered successfully {@code nanos} after it was submitted. */
  default void endToEnd(long nanos) {}

  /** {@code items} items were refused at admission. */
  default void rejected(int items) {}

  /** {@code items} queued items were dropped at their deadline. */
  default void expired(int items) {}

  /** {@code items} queued items were removed because their call was cancelled. */
  default void cancelled(int items) {}
}
