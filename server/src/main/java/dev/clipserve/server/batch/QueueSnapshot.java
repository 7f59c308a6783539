package dev.clipserve.server.batch;

/**
 * What {@link BatchPlanner} needs to know about one model's queue at one instant.
 *
 * @param size live items waiting (expired and cancelled items already removed)
 * @param oldestArrivalNanos arrival time of the oldest waiting item (any priority); ignored when
 *     {@code size == 0}
 * @param nearestDeadlineNanos the earliest deadline among waiting items, {@link Long#MAX_VALUE}
 *     if none has one
 * @param idleExecutors executors free to take a batch now
 * @param draining the batcher is shutting down: send what is queued without waiting
 * @param incoming items announced as being preprocessed for this model and not yet queued, or
 *     {@link #UNTRACKED} when the batcher's producers do not announce items
 */
public record QueueSnapshot(
    int size,
    long oldestArrivalNanos,
    long nearestDeadlineNanos,
    int idleExecutors,
    boolean draining,
    int incoming) {

  /** {@code incoming} when nothing is announced: the planner cannot know what is on its way. */
  public static final int UNTRACKED = -1;

  /** A snapshot of a batcher whose producers do not announce items ({@link #UNTRACKED}). */
  public QueueSnapshot(
      int size, long oldestArrivalNanos, long nearestDeadlineNanos, int idleExecutors, boolean draining) {
    this(size, oldestArrivalNanos, nearestDeadlineNanos, idleExecutors, draining, UNTRACKED);
  }

  /** An empty queue with {@code idleExecutors} free executors. */
  public static QueueSnapshot empty(int idleExecutors) {
    return new QueueSnapshot(0, 0, Long.MAX_VALUE, idleExecutors, false, UNTRACKED);
  }
}
