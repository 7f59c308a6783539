package dev.clipserve.server.batch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import com.google.errorprone.annotations.concurrent.GuardedBy;

/**
 * One model's dynamic batcher: a bounded queue of items shared by every caller, a thin dispatch
 * thread around {@link BatchPlanner}, and N executors each running a {@link BatchRunner}. It
 * never sees the transport: a call is a list of items, a deadline and a priority, answered
 * through a {@link CompletableFuture}.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #submit} never blocks. The returned future fails with {@link RejectedException}
 *       when the request would push the queue past {@code maxQueueSize} (nothing of it is
 *       queued), and with {@link BatcherClosedException} after {@link #shutdown()}.
 *   <li>A call's items may ride in several batches; its results come back in item order.
 *   <li>A call whose deadline passes fails with {@link DeadlineExceededException} at its deadline
 *       (the dispatch thread wakes for it, even while every executor is busy); its queued items
 *       are dropped before inference, and no call is answered successfully after its deadline.
 *   <li>Cancelling the returned future removes the call's queued items at once (frees slots).
 *   <li>A runner failure fails every call with an item in that batch ({@link
 *       BatchFailedException}); the batcher keeps serving.
 * </ul>
 *
 * <p>Threading: one lock guards the queue and executor slots and is held only to change them;
 * futures are completed and runners called after it is released.
 *
 * @param <I> one preprocessed item
 * @param <O> one result
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {

  /** {@code deadlineNanos} for a call without a deadline. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  private final String model;
  private final BatchPolicy policy;
  private final BatchPlanner planner;
  private final Executor executor;
  private final ExecutorService ownedExecutor;
  private final NanoClock clock;
  private final BatcherMetrics metrics;
  private final int executors;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Condition terminatedCondition = lock.newCondition();

  @GuardedBy("lock")
  private final PendingQueue<I, O> queue = new PendingQueue<>();

  @GuardedBy("lock")
  private final ArrayDeque<BatchRunner<I, O>> idleRunners = new ArrayDeque<>();

  @GuardedBy("lock")
  private long changes;

  @GuardedBy("lock")
  private boolean draining;

  @GuardedBy("lock")
  private boolean terminated;

  @GuardedBy("lock")
  private int peakQueued;

  /** Items announced by {@link #expect} and not yet submitted or withdrawn. */
  @GuardedBy("lock")
  private int incoming;

  /** Whether any producer has announced items (then {@link #incoming} is meaningful). */
  @GuardedBy("lock")
  private boolean incomingTracked;

  private Thread dispatcher;

  /**
   * Creates a batcher that runs batches on {@code executor}; nothing runs until {@link #start()}
   * (tests drive {@link #dispatchOnce()} by hand instead).
   *
   * @param runners one per executor; the same instance may appear several times (a shared,
   *     thread-safe session)
   */
  public DynamicBatcher(
      String model,
      BatchPolicy policy,
      List<? extends BatchRunner<I, O>> runners,
      Executor executor,
      NanoClock clock,
      BatcherMetrics metrics) {
    this(model, policy, runners, executor, null, clock, metrics);
  }

  private DynamicBatcher(
      String model,
      BatchPolicy policy,
      List<? extends BatchRunner<I, O>> runners,
      Executor executor,
      ExecutorService ownedExecutor,
      NanoClock clock,
      BatcherMetrics metrics) {
    this.model = Objects.requireNonNull(model, "model");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.planner = new BatchPlanner(policy);
    this.executor = Objects.requireNonNull(executor, "executor");
    this.ownedExecutor = ownedExecutor;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    if (runners.isEmpty()) {
      throw new IllegalArgumentException("model " + model + ": at least one runner is needed");
    }
    this.idleRunners.addAll(runners);
    this.executors = runners.size();
  }

  /**
   * Creates and starts a batcher with its own pool of {@code runners.size()} executor threads
   * (named {@code batch-<model>-N}) and a dispatch thread; all stop at termination.
   */
  public static <I, O> DynamicBatcher<I, O> start(
      String model,
      BatchPolicy policy,
      List<? extends BatchRunner<I, O>> runners,
      NanoClock clock,
      BatcherMetrics metrics) {
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            runners.size(),
            r -> {
              Thread t = new Thread(r, "batch-" + model + "-" + n.getAndIncrement());
              t.setDaemon(true);
              return t;
            });
    DynamicBatcher<I, O> batcher =
        new DynamicBatcher<>(model, policy, runners, pool, pool, clock, metrics);
    batcher.start();
    return batcher;
  }

  /** Starts the dispatch thread. Call once. */
  public synchronized void start() {
    if (dispatcher != null) {
      throw new IllegalStateException("already started");
    }
    dispatcher = new Thread(this::dispatchLoop, "dispatch-" + model);
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  /** The policy in force. */
  public BatchPolicy policy() {
    return policy;
  }

  /** Executors (concurrent batches) this batcher runs. */
  public int executors() {
    return executors;
  }

  /** Submits a call with no deadline (the policy's default timeout applies) at priority 0. */
  public CompletableFuture<List<O>> submit(List<I> items) {
    return submit(items, NO_DEADLINE, 0);
  }

  /**
   * Submits one call's items. Never blocks.
   *
   * @param items one or more items; the list must not change afterwards
   * @param deadlineNanos on this batcher's clock, or {@link #NO_DEADLINE} (then the policy's
   *     default timeout applies, if any)
   * @param priority higher levels are sent first; FIFO within a level
   * @return completes with one result per item, in order; cancel it to drop the queued items
   */
  public CompletableFuture<List<O>> submit(List<I> items, long deadlineNanos, int priority) {
    return submit(items, deadlineNanos, priority, false);
  }

  /**
   * Announces {@code items} items that a producer is preparing (preprocessing) and will
   * {@linkplain #submit(List, long, int, boolean) submit as expected} or {@linkplain #unexpect
   * withdraw}. Once any producer announces, the batcher relies on announcements: with an idle
   * executor and nothing announced it sends what is queued without waiting for {@code
   * maxQueueDelay} (see {@link BatchPlanner}), so every producer of an announcing batcher should
   * announce.
   */
  public void expect(int items) {
    if (items < 0) {
      throw new IllegalArgumentException("items must be >= 0, got " + items);
    }
    lock.lock();
    try {
      incomingTracked = true;
      incoming += items;
    } finally {
      lock.unlock();
    }
  }

  /** Withdraws {@code items} announced items that will not be submitted (failed or cancelled). */
  public void unexpect(int items) {
    lock.lock();
    try {
      incoming = Math.max(0, incoming - items);
      signalLocked();
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@link #submit(List, long, int)}; with {@code expected} the items were announced by {@link
   * #expect} and stop counting as incoming atomically with being queued (also when refused).
   */
  public CompletableFuture<List<O>> submit(
      List<I> items, long deadlineNanos, int priority, boolean expected) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("a call needs at least one item");
    }
    Job<I, O> job;
    RuntimeException refused = null;
    lock.lock();
    try {
      long now = clock.nanoTime();
      if (expected) {
        incoming = Math.max(0, incoming - items.size());
        signalLocked();
      }
      if (draining) {
        refused = new BatcherClosedException(model);
        job = null;
      } else if (queue.size() + items.size() > policy.maxQueueSize()) {
        refused = new RejectedException(model, items.size(), queue.size(), policy.maxQueueSize());
        job = null;
      } else {
        long deadline = deadlineNanos;
        if (deadline == NO_DEADLINE && policy.defaultTimeoutNanos() > 0) {
          deadline = BatchPlanner.saturatedAdd(now, policy.defaultTimeoutNanos());
        }
        job = new Job<>(List.copyOf(items), now, deadline, priority);
        queue.add(job);
        peakQueued = Math.max(peakQueued, queue.size());
        signalLocked();
      }
    } finally {
      lock.unlock();
    }
    if (refused != null) {
      if (refused instanceof RejectedException) {
        metrics.rejected(items.size());
      }
      return CompletableFuture.failedFuture(refused);
    }
    Job<I, O> submitted = job;
    job.future.whenComplete((result, error) -> onJobDone(submitted, error));
    return job.future;
  }

  /** Items waiting now (not running). */
  public int queuedItems() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** The most items ever waiting at once. */
  public int peakQueuedItems() {
    lock.lock();
    try {
      return peakQueued;
    } finally {
      lock.unlock();
    }
  }

  /**
   * One dispatch step at the clock's now: answers expired items, then sends at most one batch if
   * the planner says so. Returns when the next step is due ({@code now} if a batch was sent,
   * {@link Long#MAX_VALUE} for "on the next change"). The dispatch thread calls it in a loop;
   * tests call it directly with a fake clock.
   */
  long dispatchOnce() {
    List<Job.Item<I, O>> expired;
    List<Job.Item<I, O>> batch = null;
    BatchRunner<I, O> runner = null;
    long now;
    long next;
    lock.lock();
    try {
      now = clock.nanoTime();
      expired = queue.removeExpired(now);
      Decision decision =
          planner.plan(
              queue.snapshot(
                  idleRunners.size(), draining, incomingTracked ? incoming : QueueSnapshot.UNTRACKED),
              now);
      if (decision instanceof Decision.Send send) {
        batch = queue.take(send.items());
        runner = idleRunners.pollFirst();
        next = now;
      } else {
        next = ((Decision.Wait) decision).untilNanos();
      }
      checkTerminatedLocked();
    } finally {
      lock.unlock();
    }
    if (!expired.isEmpty()) {
      metrics.expired(expired.size());
      for (Job<I, O> job : distinctJobs(expired)) {
        job.fail(new DeadlineExceededException(model));
      }
    }
    if (batch != null) {
      metrics.batchSent(batch.size());
      for (Job.Item<I, O> item : batch) {
        metrics.queueWait(now - item.job().arrivalNanos);
      }
      List<Job.Item<I, O>> sent = batch;
      BatchRunner<I, O> chosen = runner;
      try {
        executor.execute(() -> runBatch(sent, chosen));
      } catch (RuntimeException e) {
        finishBatch(sent, chosen, null, e);
      }
    }
    return next;
  }

  private void runBatch(List<Job.Item<I, O>> batch, BatchRunner<I, O> runner) {
    List<I> inputs = new ArrayList<>(batch.size());
    for (Job.Item<I, O> item : batch) {
      inputs.add(item.input());
    }
    long start = clock.nanoTime();
    List<O> outputs = null;
    Throwable error = null;
    try {
      outputs = runner.run(inputs);
      if (outputs == null || outputs.size() != inputs.size()) {
        throw new IllegalStateException(
            "runner returned " + (outputs == null ? "null" : outputs.size() + " results")
                + " for " + inputs.size() + " items");
      }
    } catch (Throwable t) {
      error = t;
      outputs = null;
    }
    metrics.inference(clock.nanoTime() - start);
    finishBatch(batch, runner, outputs, error);
  }

  private void finishBatch(
      List<Job.Item<I, O>> batch, BatchRunner<I, O> runner, List<O> outputs, Throwable error) {
    lock.lock();
    try {
      idleRunners.addLast(runner);
      signalLocked();
    } finally {
      lock.unlock();
    }
    long now = clock.nanoTime();
    for (int i = 0; i < batch.size(); i++) {
      Job.Item<I, O> item = batch.get(i);
      Job<I, O> job = item.job();
      if (job.isDone()) {
        continue;
      }
      if (error != null) {
        job.fail(new BatchFailedException(model, error));
      } else if (now >= job.deadlineNanos) {
        job.fail(new DeadlineExceededException(model));
      } else {
        job.completeItem(item.index(), outputs.get(i));
      }
    }
  }

  private void onJobDone(Job<I, O> job, Throwable error) {
    if (error == null) {
      metrics.endToEnd(clock.nanoTime() - job.arrivalNanos);
      return;
    }
    int removed;
    lock.lock();
    try {
      removed = queue.removeJob(job);
      if (removed > 0) {
        signalLocked();
      }
    } finally {
      lock.unlock();
    }
    if (removed > 0) {
      if (error instanceof CancellationException) {
        metrics.cancelled(removed);
      } else if (error instanceof DeadlineExceededException) {
        metrics.expired(removed);
      }
    }
  }

  /**
   * Stops admission ({@link BatcherClosedException}); what is queued is sent without waiting for
   * the delay, and the batcher terminates once the queue is empty and no batch runs.
   */
  public void shutdown() {
    lock.lock();
    try {
      draining = true;
      signalLocked();
      checkTerminatedLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Shuts down and fails everything still queued with {@link BatcherClosedException}. */
  public void shutdownNow() {
    List<Job.Item<I, O>> dropped;
    lock.lock();
    try {
      draining = true;
      dropped = queue.clear();
      signalLocked();
      checkTerminatedLocked();
    } finally {
      lock.unlock();
    }
    for (Job<I, O> job : distinctJobs(dropped)) {
      job.fail(new BatcherClosedException(model));
    }
  }

  /** Waits up to {@code timeout} for termination; returns whether it terminated. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (!terminated) {
        if (remaining <= 0) {
          return false;
        }
        remaining = terminatedCondition.awaitNanos(remaining);
      }
    } finally {
      lock.unlock();
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
      return ownedExecutor.awaitTermination(Math.max(0, remaining), TimeUnit.NANOSECONDS);
    }
    return true;
  }

  /** {@link #shutdown()}, wait up to 30 s for the drain, then {@link #shutdownNow()}. */
  @Override
  public void close() {
    shutdown();
    try {
      if (!awaitTermination(Duration.ofSeconds(30))) {
        shutdownNow();
      }
    } catch (InterruptedException e) {
      shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @GuardedBy("lock")
  private void checkTerminatedLocked() {
    if (draining && !terminated && queue.size() == 0 && idleRunners.size() == executors) {
      terminated = true;
      terminatedCondition.signalAll();
      changed.signalAll();
    }
  }

  @GuardedBy("lock")
  private void signalLocked() {
    changes++;
    changed.signal();
  }

  private void dispatchLoop() {
    while (true) {
      long seen;
      lock.lock();
      try {
        seen = changes;
      } finally {
        lock.unlock();
      }
      long next = dispatchOnce();
      lock.lock();
      try {
        checkTerminatedLocked();
        if (terminated) {
          return;
        }
        if (changes == seen) {
          if (next == Long.MAX_VALUE) {
            changed.awaitUninterruptibly();
          } else {
            long wait = next - clock.nanoTime();
            if (wait > 0) {
              changed.awaitNanos(wait);
            }
          }
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  private static <I, O> List<Job<I, O>> distinctJobs(List<Job.Item<I, O>> items) {
    Map<Job<I, O>, Boolean> seen = new IdentityHashMap<>();
    List<Job<I, O>> jobs = new ArrayList<>();
    for (Job.Item<I, O> item : items) {
      if (seen.put(item.job(), Boolean.TRUE) == null) {
        jobs.add(item.job());
      }
    }
    return jobs;
  }
}
