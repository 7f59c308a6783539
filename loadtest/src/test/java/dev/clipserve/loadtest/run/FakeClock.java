package dev.clipserve.loadtest.run;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told; also a pacer that jumps to the deadline. */
final class FakeClock implements NanoClock, Pacer {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Override
  public long nanoTime() {
    return now.get();
  }

  @Override
  public void awaitUntil(long deadlineNanos) {
    now.accumulateAndGet(deadlineNanos, Math::max);
  }

  void advanceMillis(long millis) {
    now.addAndGet(millis * 1_000_000L);
  }
}
