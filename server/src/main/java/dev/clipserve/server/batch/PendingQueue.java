package dev.clipserve.server.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The items waiting for one model: a FIFO per priority level, higher level first. Not
 * thread-safe: the owning {@link DynamicBatcher} guards it with its lock.
 */
final class PendingQueue<I, O> {

  private final TreeMap<Integer, ArrayDeque<Job.Item<I, O>>> levels =
      new TreeMap<>((a, b) -> Integer.compare(b, a));
  private int size;

  int size() {
    return size;
  }

  /** Appends every item of {@code job} at its priority level. */
  void add(Job<I, O> job) {
    ArrayDeque<Job.Item<I, O>> fifo = levels.computeIfAbsent(job.priority, p -> new ArrayDeque<>());
    for (int i = 0; i < job.inputs.size(); i++) {
      fifo.addLast(new Job.Item<>(job, i));
    }
    size += job.inputs.size();
  }

  /** Removes and returns the next {@code n} items (highest level first, FIFO within it). */
  List<Job.Item<I, O>> take(int n) {
    List<Job.Item<I, O>> out = new ArrayList<>(n);
    Iterator<Map.Entry<Integer, ArrayDeque<Job.Item<I, O>>>> it = levels.entrySet().iterator();
    while (out.size() < n && it.hasNext()) {
      ArrayDeque<Job.Item<I, O>> fifo = it.next().getValue();
      while (out.size() < n && !fifo.isEmpty()) {
        out.add(fifo.pollFirst());
      }
      if (fifo.isEmpty()) {
        it.remove();
      }
    }
    size -= out.size();
    return out;
  }

  /** Removes every item whose deadline is {@code <= nowNanos}; returns them. */
  List<Job.Item<I, O>> removeExpired(long nowNanos) {
    List<Job.Item<I, O>> out = new ArrayList<>();
    removeIf(item -> item.job().deadlineNanos <= nowNanos, out);
    return out;
  }

  /** Removes every queued item of {@code job}; returns how many. */
  int removeJob(Job<I, O> job) {
    List<Job.Item<I, O>> out = new ArrayList<>();
    removeIf(item -> item.job() == job, out);
    return out.size();
  }

  /** Removes everything; returns it. */
  List<Job.Item<I, O>> clear() {
    return take(size);
  }

  /** A snapshot for the planner. */
  QueueSnapshot snapshot(int idleExecutors, boolean draining, int incoming) {
    if (size == 0) {
      return new QueueSnapshot(0, 0, Long.MAX_VALUE, idleExecutors, draining, incoming);
    }
    long oldest = Long.MAX_VALUE;
    long nearestDeadline = Long.MAX_VALUE;
    for (ArrayDeque<Job.Item<I, O>> fifo : levels.values()) {
      oldest = Math.min(oldest, fifo.peekFirst().job().arrivalNanos);
      Job<I, O> last = null;
      for (Job.Item<I, O> item : fifo) {
        if (item.job() != last) {
          last = item.job();
          nearestDeadline = Math.min(nearestDeadline, last.deadlineNanos);
        }
      }
    }
    return new QueueSnapshot(size, oldest, nearestDeadline, idleExecutors, draining, incoming);
  }

  private void removeIf(java.util.function.Predicate<Job.Item<I, O>> test, List<Job.Item<I, O>> out) {
    Iterator<ArrayDeque<Job.Item<I, O>>> levelIt = levels.values().iterator();
    while (levelIt.hasNext()) {
      ArrayDeque<Job.Item<I, O>> fifo = levelIt.next();
      Iterator<Job.Item<I, O>> it = fifo.iterator();
      while (it.hasNext()) {
        Job.Item<I, O> item = it.next();
        if (test.test(item)) {
          it.remove();
          out.add(item);
        }
      }
      if (fifo.isEmpty()) {
        levelIt.remove();
      }
    }
    size -= out.size();
  }
}
