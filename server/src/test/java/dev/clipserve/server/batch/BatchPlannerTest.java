package dev.clipserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

  private static final long T0 = 5_000_000L;
  private static final long MS = 1_000_000L;

  private static BatchPlanner planner(int max, List<Integer> preferred, long delayMs) {
    return new BatchPlanner(
        new BatchPolicy(max, preferred, Duration.ofMillis(delayMs), 100, Duration.ZERO));
  }

  private static QueueSnapshot queue(int size, long oldest) {
    return new QueueSnapshot(size, oldest, Long.MAX_VALUE, 1, false);
  }

  @Test
  void sendsWhenPreferredSizeReached() {
    BatchPlanner p = planner(16, List.of(4, 8), 100);
    assertEquals(new Decision.Wait(T0 + 100 * MS), p.plan(queue(3, T0), T0));
    assertEquals(new Decision.Send(4), p.plan(queue(4, T0), T0));
    assertEquals(new Decision.Send(4), p.plan(queue(7, T0), T0));
    assertEquals(new Decision.Send(8), p.plan(queue(9, T0), T0));
  }

  @Test
  void sendsWhenOldestDelaySpent() {
    BatchPlanner p = planner(16, List.of(), 10);
    assertEquals(new Decision.Wait(T0 + 10 * MS), p.plan(queue(3, T0), T0 + 9 * MS));
    assertEquals(new Decision.Send(3), p.plan(queue(3, T0), T0 + 10 * MS));
  }

  @Test
  void sendsBeforeTheDelayWhenNothingIsIncoming() {
    BatchPlanner p = planner(16, List.of(), 10);
    assertEquals(
        new Decision.Send(3), p.plan(new QueueSnapshot(3, T0, Long.MAX_VALUE, 1, false, 0), T0));
    assertEquals(
        new Decision.Wait(T0 + 10 * MS),
        p.plan(new QueueSnapshot(3, T0, Long.MAX_VALUE, 1, false, 2), T0),
        "items on their way: wait for them up to the delay");
    assertEquals(
        new Decision.Send(3),
        p.plan(new QueueSnapshot(3, T0, Long.MAX_VALUE, 1, false, 2), T0 + 10 * MS));
    assertEquals(
        new Decision.Wait(T0 + 10 * MS),
        p.plan(new QueueSnapshot(3, T0, Long.MAX_VALUE, 1, false, QueueSnapshot.UNTRACKED), T0),
        "untracked producers: the delay applies");
    assertEquals(
        new Decision.Wait(Long.MAX_VALUE),
        p.plan(new QueueSnapshot(3, T0, Long.MAX_VALUE, 0, false, 0), T0),
        "no idle executor: nothing is sent");
  }

  @Test
  void sendsAtOnceWhenDelayIsZero() {
    assertEquals(new Decision.Send(1), planner(16, List.of(), 0).plan(queue(1, T0), T0));
  }

  @Test
  void neverExceedsMaxBatchSize() {
    BatchPlanner p = planner(16, List.of(4, 16), 1000);
    for (int size = 1; size <= 100; size++) {
      Decision d = p.plan(new QueueSnapshot(size, T0, Long.MAX_VALUE, 1, true), T0);
      assertEquals(new Decision.Send(Math.min(size, size >= 16 ? 16 : size >= 4 ? 4 : size)), d);
    }
    assertEquals(new Decision.Send(16), p.plan(queue(17, T0), T0));
  }

  @Test
  void waitsForNearestDeadlineWhenItComesBeforeTheDelay() {
    BatchPlanner p = planner(16, List.of(), 50);
    QueueSnapshot q = new QueueSnapshot(2, T0, T0 + 20 * MS, 1, false);
    assertEquals(new Decision.Wait(T0 + 20 * MS), p.plan(q, T0));
  }

  @Test
  void waitsOnlyForDeadlinesWhenNoExecutorIsIdle() {
    BatchPlanner p = planner(4, List.of(), 0);
    assertEquals(
        new Decision.Wait(T0 + 7 * MS), p.plan(new QueueSnapshot(9, T0, T0 + 7 * MS, 0, false), T0));
    assertEquals(new Decision.Wait(Long.MAX_VALUE), p.plan(QueueSnapshot.empty(1), T0));
  }

  @Test
  void zerosInTheManifestResolveToDocumentedValues() {
    BatchPolicy policy = BatchPolicy.resolve(0, List.of(), 0, 0, 0);
    assertEquals(1, policy.maxBatchSize());
    assertEquals(BatchPolicy.DEFAULT_MAX_QUEUE_SIZE, policy.maxQueueSize());
    assertEquals(Duration.ZERO, policy.maxQueueDelay());
    assertEquals(0, policy.defaultTimeoutNanos());
  }
}
