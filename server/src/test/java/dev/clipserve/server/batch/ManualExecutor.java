package dev.clipserve.server.batch;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Holds submitted tasks until the test runs them: a batch "is running" until then. */
final class ManualExecutor implements Executor {
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

  @Override
  public synchronized void execute(Runnable task) {
    tasks.addLast(task);
  }

  synchronized int pending() {
    return tasks.size();
  }

  /** Runs the oldest pending task; fails if none. */
  void runNext() {
    Runnable task;
    synchronized (this) {
      task = tasks.removeFirst();
    }
    task.run();
  }

  void runAll() {
    while (pending() > 0) {
      runNext();
    }
  }
}
