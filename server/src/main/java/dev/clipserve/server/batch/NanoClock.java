package dev.clipserve.server.batch;

/**
 * A monotonic nanosecond clock, injected so that tests can drive time by hand.
 *
 * <p>Values are only meaningful relative to each other (like {@link System#nanoTime()}).
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface NanoClock {

  /** The system's monotonic clock. */
  NanoClock SYSTEM = System::nanoTime;

  /** Returns the current time in nanoseconds. */
  long nanoTime();
}
