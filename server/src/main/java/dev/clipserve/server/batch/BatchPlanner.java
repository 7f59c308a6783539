package dev.clipserve.server.batch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The batching decision, as a pure function of (queue snapshot, now): no clock, no lock, no
 * state. The dispatcher around it removes expired items first, so every item the planner sees is
 * live.
 *
 * <p>Rules, in order, when an executor is idle and items wait:
 *
 * <ol>
 *   <li>{@code size >= maxBatchSize}: send {@code maxBatchSize} (the next item would exceed it);
 *   <li>a preferred size is reached: send the largest preferred size {@code <= size};
 *   <li>the oldest item's delay is spent ({@code now >= oldestArrival + maxQueueDelay}), or the
 *       batcher is draining, or no item is announced as on its way ({@link QueueSnapshot#incoming()}
 *       is 0: the producers announce items while they preprocess them, and none is): send
 *       everything queued. Waiting could only add latency; nothing known can join the batch;
 *   <li>otherwise wait until {@code min(oldestArrival + maxQueueDelay, nearestDeadline)}.
 * </ol>
 *
 * With no idle executor the planner waits for the nearest deadline (so expired items are answered
 * at their deadline while batches run). Thread-safe (immutable).
 */
public final class BatchPlanner {

  private final int maxBatchSize;
  private final List<Integer> preferredDescending;
  private final long maxQueueDelayNanos;

  public BatchPlanner(BatchPolicy policy) {
    this.maxBatchSize = policy.maxBatchSize();
    List<Integer> descending = new ArrayList<>(policy.preferredBatchSizes());
    Collections.reverse(descending);
    this.preferredDescending = List.copyOf(descending);
    this.maxQueueDelayNanos = policy.maxQueueDelayNanos();
  }

  /** Decides what to do at {@code nowNanos} given {@code queue}. */
  public Decision plan(QueueSnapshot queue, long nowNanos) {
    if (queue.size() == 0 || queue.idleExecutors() == 0) {
      return new Decision.Wait(queue.size() == 0 ? Long.MAX_VALUE : queue.nearestDeadlineNanos());
    }
    if (queue.size() >= maxBatchSize) {
      return new Decision.Send(maxBatchSize);
    }
    for (int preferred : preferredDescending) {
      if (preferred <= queue.size()) {
        return new Decision.Send(preferred);
      }
    }
    long due = saturatedAdd(queue.oldestArrivalNanos(), maxQueueDelayNanos);
    if (queue.draining() || nowNanos >= due || queue.incoming() == 0) {
      return new Decision.Send(queue.size());
    }
    return new Decision.Wait(Math.min(due, queue.nearestDeadlineNanos()));
  }

  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}
