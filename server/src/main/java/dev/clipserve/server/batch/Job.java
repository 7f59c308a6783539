package dev.clipserve.server.batch;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One submitted call: its items, where it stands, and the future its caller holds. Results are
 * stored by item index, so a call split across batches comes back in order. Thread-safe: items
 * complete from executor threads; the future completes once (first outcome wins).
 */
final class Job<I, O> {

  final List<I> inputs;
  final long arrivalNanos;
  final long deadlineNanos;
  final int priority;
  final CompletableFuture<List<O>> future = new CompletableFuture<>();

  private final Object[] results;
  private final AtomicInteger remaining;

  Job(List<I> inputs, long arrivalNanos, long deadlineNanos, int priority) {
    this.inputs = inputs;
    this.arrivalNanos = arrivalNanos;
    this.deadlineNanos = deadlineNanos;
    this.priority = priority;
    this.results = new Object[inputs.size()];
    this.remaining = new AtomicInteger(inputs.size());
  }

  /** Stores item {@code index}'s result; the last one completes the future. */
  @SuppressWarnings("unchecked")
  void completeItem(int index, O result) {
    results[index] = result;
    if (remaining.decrementAndGet() == 0) {
      future.complete((List<O>) Arrays.asList(results.clone()));
    }
  }

  void fail(Throwable t) {
    future.completeExceptionally(t);
  }

  boolean isDone() {
    return future.isDone();
  }

  /** One item of a job, as it waits in the queue and rides in a batch. */
  record Item<I, O>(Job<I, O> job, int index) {
    I input() {
      return job.inputs.get(index);
    }
  }
}
