package dev.clipserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The batcher driven step by step: fake clock, fake runner, batches run when the test says. */
@Timeout(10)
class DynamicBatcherTest {

  private final FakeClock clock = new FakeClock();
  private final ManualExecutor executor = new ManualExecutor();
  private final RecordingRunner runner = new RecordingRunner();
  private final HdrBatcherMetrics metrics = new HdrBatcherMetrics();

  private DynamicBatcher<String, String> batcher(
      int max, List<Integer> preferred, Duration delay, int maxQueue, int executors) {
    BatchPolicy policy = new BatchPolicy(max, preferred, delay, maxQueue, Duration.ZERO);
    List<BatchRunner<String, String>> runners = new ArrayList<>();
    for (int i = 0; i < executors; i++) {
      runners.add(runner);
    }
    return new DynamicBatcher<>("m", policy, runners, executor, clock, metrics);
  }

  private static List<String> items(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
  }

  private static Throwable failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    return e.getCause();
  }

  @Test
  void sendsWhenPreferredSizeReached() {
    var b = batcher(16, List.of(4), Duration.ofSeconds(1), 100, 1);
    List<CompletableFuture<List<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(b.submit(List.of("a" + i)));
      b.dispatchOnce();
    }
    assertEquals(0, executor.pending());
    calls.add(b.submit(List.of("a3")));
    b.dispatchOnce();
    executor.runAll();
    assertEquals(List.of(List.of("a0", "a1", "a2", "a3")), runner.batches);
    assertTrue(calls.stream().allMatch(CompletableFuture::isDone));
  }

  @Test
  void sendsWhenOldestDelaySpent() {
    var b = batcher(16, List.of(), Duration.ofMillis(10), 100, 1);
    var first = b.submit(List.of("x"));
    clock.advance(Duration.ofMillis(6));
    var second = b.submit(List.of("y"));
    long wakeAt = b.dispatchOnce();
    assertEquals(clock.plus(Duration.ofMillis(4)), wakeAt, "delay counts from the oldest arrival");
    clock.advance(Duration.ofMillis(4));
    b.dispatchOnce();
    executor.runAll();
    assertEquals(List.of(List.of("x", "y")), runner.batches);
    assertEquals(List.of("out:x"), first.join());
    assertEquals(List.of("out:y"), second.join());
  }

  @Test
  void waitsForAnnouncedItemsThenSendsWithoutDelayOnceNoneIsIncoming() {
    var b = batcher(16, List.of(), Duration.ofMillis(10), 100, 1);
    b.expect(1);
    b.expect(2);
    var first = b.submit(List.of("x"), DynamicBatcher.NO_DEADLINE, 0, true);
    assertEquals(clock.plus(Duration.ofMillis(10)), b.dispatchOnce(), "two items still incoming");
    assertEquals(0, executor.pending());
    clock.advance(Duration.ofMillis(1));
    var second = b.submit(List.of("y", "z"), DynamicBatcher.NO_DEADLINE, 0, true);
    assertEquals(clock.nanoTime(), b.dispatchOnce(), "nothing incoming: sent before the delay");
    executor.runAll();
    assertEquals(List.of(List.of("x", "y", "z")), runner.batches);
    assertEquals(List.of("out:x"), first.join());
    assertEquals(List.of("out:y", "out:z"), second.join());
  }

  @Test
  void withdrawnAnnouncementLetsQueuedItemsGo() {
    var b = batcher(16, List.of(), Duration.ofMillis(10), 100, 1);
    b.expect(1);
    b.expect(1);
    b.submit(List.of("x"), DynamicBatcher.NO_DEADLINE, 0, true);
    b.dispatchOnce();
    assertEquals(0, executor.pending());
    b.unexpect(1); // the other call failed preprocessing
    b.dispatchOnce();
    executor.runAll();
    assertEquals(List.of(List.of("x")), runner.batches);
  }

  @Test
  void withoutAnnouncementsTheDelayStillApplies() {
    var b = batcher(16, List.of(), Duration.ofMillis(10), 100, 1);
    b.submit(List.of("x"));
    assertEquals(clock.plus(Duration.ofMillis(10)), b.dispatchOnce());
    assertEquals(0, executor.pending());
  }

  @Test
  void neverExceedsMaxBatchSize() {
    var b = batcher(4, List.of(), Duration.ZERO, 100, 1);
    for (int i = 0; i < 10; i++) {
      b.submit(items("c" + i + "-", 3));
    }
    while (b.queuedItems() > 0) {
      b.dispatchOnce();
      executor.runAll();
    }
    assertEquals(List.of(4, 4, 4, 4, 4, 4, 4, 2), runner.sizes());
  }

  @Test
  void splitsAndReassemblesInOrder() {
    var b = batcher(16, List.of(), Duration.ZERO, 100, 1);
    var big = b.submit(items("img", 40));
    var single = b.submit(List.of("solo"));
    while (b.queuedItems() > 0) {
      b.dispatchOnce();
      executor.runAll();
    }
    assertEquals(List.of(16, 16, 9), runner.sizes());
    assertEquals(items("out:img", 40), big.join());
    assertEquals(List.of("out:solo"), single.join());
  }

  @Test
  void mergesSingleItemCallersIntoOneBatch() {
    var b = batcher(16, List.of(), Duration.ZERO, 100, 1);
    var calls = IntStream.range(0, 10).mapToObj(i -> b.submit(List.of("s" + i))).toList();
    b.dispatchOnce();
    executor.runAll();
    assertEquals(List.of(10), runner.sizes());
    for (int i = 0; i < 10; i++) {
      assertEquals(List.of("out:s" + i), calls.get(i).join());
    }
  }

  @Test
  void rejectsWhenQueueFull() {
    var b = batcher(4, List.of(), Duration.ZERO, 5, 1);
    var accepted = b.submit(items("a", 4));
    var refused = b.submit(items("b", 2));
    Throwable why = failure(refused);
    RejectedException rejected = assertInstanceOf(RejectedException.class, why);
    assertEquals(5, rejected.maxQueueSize());
    assertTrue(rejected.getMessage().contains("max_queue_size=5"), rejected.getMessage());
    assertEquals(4, b.queuedItems(), "a refused request queues nothing");
    assertFalse(accepted.isDone());
    assertEquals(2, metrics.snapshot().rejectedItems());
    assertFalse(b.submit(List.of("c")).isCompletedExceptionally(), "fits exactly: 5 of 5");
    assertEquals(5, b.queuedItems());
  }

  @Test
  void dropsExpiredItemsBeforeRunningAndAnswersAtDeadline() {
    var b = batcher(2, List.of(), Duration.ZERO, 100, 1);
    var running = b.submit(items("r", 2));
    b.dispatchOnce(); // batch 1 is sent and keeps running: the only executor is busy
    assertEquals(1, executor.pending());
    long deadline = clock.plus(Duration.ofMillis(50));
    var doomed = b.submit(List.of("late"), deadline, 0);
    var patient = b.submit(List.of("ok"));
    assertEquals(deadline, b.dispatchOnce(), "the dispatcher wakes at the deadline");
    clock.advance(Duration.ofMillis(49));
    b.dispatchOnce();
    assertFalse(doomed.isDone(), "not before its deadline");
    clock.advance(Duration.ofMillis(1));
    b.dispatchOnce();
    assertInstanceOf(DeadlineExceededException.class, failure(doomed));
    assertFalse(running.isDone(), "answered while the other batch still runs");
    executor.runAll();
    b.dispatchOnce();
    executor.runAll();
    assertEquals(List.of(List.of("r0", "r1"), List.of("ok")), runner.batches);
    assertEquals(List.of("out:ok"), patient.join());
    assertEquals(1, metrics.snapshot().expiredItems());
  }

  @Test
  void neverAnswersAfterDeadlineWhenBatchFinishesLate() {
    var b = batcher(4, List.of(), Duration.ZERO, 100, 1);
    var call = b.submit(List.of("slow"), clock.plus(Duration.ofMillis(10)), 0);
    b.dispatchOnce();
    clock.advance(Duration.ofMillis(11)); // the runner is still "running" past the deadline
    executor.runAll();
    assertInstanceOf(DeadlineExceededException.class, failure(call));
  }

  @Test
  void cancellationFreesSlots() {
    var b = batcher(4, List.of(), Duration.ofSeconds(1), 6, 1);
    var first = b.submit(items("a", 4));
    var second = b.submit(items("b", 2));
    assertInstanceOf(RejectedException.class, failure(b.submit(List.of("c"))));
    first.cancel(true);
    assertEquals(2, b.queuedItems());
    assertEquals(4, metrics.snapshot().cancelledItems());
    var third = b.submit(items("d", 2));
    clock.advance(Duration.ofSeconds(1));
    b.dispatchOnce();
    executor.runAll();
    assertEquals(List.of(List.of("b0", "b1", "d0", "d1")), runner.batches);
    assertEquals(List.of("out:b0", "out:b1"), second.join());
    assertEquals(List.of("out:d0", "out:d1"), third.join());
  }

  @Test
  void fifoWithinPriority() {
    var b = batcher(8, List.of(), Duration.ZERO, 100, 1);
    b.submit(List.of("low1"), DynamicBatcher.NO_DEADLINE, 0);
    b.submit(List.of("high1"), DynamicBatcher.NO_DEADLINE, 5);
    b.submit(List.of("low2"), DynamicBatcher.NO_DEADLINE, 0);
    b.submit(List.of("mid1"), DynamicBatcher.NO_DEADLINE, 1);
    b.submit(List.of("high2"), DynamicBatcher.NO_DEADLINE, 5);
    b.dispatchOnce();
    executor.runAll();
    assertEquals(List.of(List.of("high1", "high2", "mid1", "low1", "low2")), runner.batches);
  }

  @Test
  void runsOneBatchPerIdleExecutor() {
    var b = batcher(2, List.of(), Duration.ZERO, 100, 2);
    b.submit(items("a", 6));
    b.dispatchOnce();
    b.dispatchOnce();
    b.dispatchOnce(); // both executors busy: nothing more is sent
    assertEquals(2, executor.pending());
    assertEquals(2, b.queuedItems());
    executor.runNext();
    b.dispatchOnce();
    assertEquals(2, executor.pending());
  }

  @Test
  void runnerFailureFailsOnlyThatBatch() {
    BatchPolicy policy = new BatchPolicy(1, List.of(), Duration.ZERO, 10, Duration.ZERO);
    BatchRunner<String, String> flaky =
        items -> {
          if (items.get(0).equals("bad")) {
            throw new IllegalStateException("boom");
          }
          return List.of("ok");
        };
    var b = new DynamicBatcher<>("m", policy, List.of(flaky), executor, clock, metrics);
    var bad = b.submit(List.of("bad"));
    var good = b.submit(List.of("good"));
    for (int i = 0; i < 2; i++) {
      b.dispatchOnce();
      executor.runAll();
    }
    assertInstanceOf(BatchFailedException.class, failure(bad));
    assertEquals(List.of("ok"), good.join());
  }

  @Test
  void shutdownRefusesNewWorkAndDrainsQueuedWithoutWaiting() {
    var b = batcher(8, List.of(), Duration.ofSeconds(10), 100, 1);
    var queued = b.submit(List.of("q"));
    b.shutdown();
    assertInstanceOf(BatcherClosedException.class, failure(b.submit(List.of("new"))));
    b.dispatchOnce();
    executor.runAll();
    assertEquals(List.of("out:q"), queued.join());
  }

  @Test
  void defaultTimeoutAppliesToCallsWithoutDeadline() {
    BatchPolicy policy = new BatchPolicy(8, List.of(), Duration.ofSeconds(10), 10, Duration.ofMillis(5));
    var b = new DynamicBatcher<>("m", policy, List.of(runner), executor, clock, metrics);
    var call = b.submit(List.of("x"));
    clock.advance(Duration.ofMillis(5));
    b.dispatchOnce();
    assertInstanceOf(DeadlineExceededException.class, failure(call));
    assertEquals(0, b.queuedItems());
  }

  @Test
  void recordsBatchSizeQueueWaitAndEndToEnd() {
    var b = batcher(8, List.of(), Duration.ofMillis(2), 100, 1);
    b.submit(items("a", 3));
    clock.advance(Duration.ofMillis(2));
    b.dispatchOnce();
    executor.runAll();
    BatcherStats stats = metrics.snapshot();
    assertEquals(1, stats.batchSize().count());
    assertEquals(3, stats.batchSize().max());
    assertEquals(3, stats.queueWaitMicros().count());
    assertEquals(2000, stats.queueWaitMicros().p50(), 2);
    assertEquals(1, stats.endToEndMicros().count());
  }
}
