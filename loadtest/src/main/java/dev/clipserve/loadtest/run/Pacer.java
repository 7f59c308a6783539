package dev.clipserve.loadtest.run;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits until a clock reaches a reading. The open-loop runner uses it to hold each request until
 * its intended send time; tests pass a pacer that advances a fake clock instead of sleeping.
 */
@FunctionalInterface
public interface Pacer {
  /**
   * Returns once the clock reads at least {@code deadlineNanos} (at once if it already does).
   *
   * @throws InterruptedException if the waiting thread is interrupted
   */
  void awaitUntil(long deadlineNanos) throws InterruptedException;

  /** A pacer for the real clock: parks in slices, spinning briefly for the last 50 microseconds. */
  static Pacer parking(NanoClock clock) {
    return deadline -> {
      while (true) {
        long left = deadline - clock.nanoTime();
        if (left <= 0) {
          return;
        }
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        if (left > 50_000) {
          LockSupport.parkNanos(left - 50_000);
        } else {
          Thread.onSpinWait();
        }
      }
    };
  }
}
