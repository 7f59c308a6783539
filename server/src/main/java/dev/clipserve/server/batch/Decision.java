package dev.clipserve.server.batch;

/** What the dispatcher does next: send a batch now, or wait. */
public sealed interface Decision {

  /** Send the next {@code items} items (in priority, then FIFO, order) as one batch. */
  record Send(int items) implements Decision {
    public Send {
      if (items < 1) {
        throw new IllegalArgumentException("items must be >= 1, got " + items);
      }
    }
  }

  /**
   * Wait until {@code untilNanos}, or until something changes (an arrival, a free executor, a
   * cancellation). {@link Long#MAX_VALUE} means wait for a change only.
   */
  record Wait(long untilNanos) implements Decision {}
}
