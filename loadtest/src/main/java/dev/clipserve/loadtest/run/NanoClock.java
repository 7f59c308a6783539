package dev.clipserve.loadtest.run;

/**
 * A monotonic clock in nanoseconds. Only differences between readings mean anything. Injected
 * everywhere time is read, so schedulers and runners are tested with a fake clock and no sleeps.
 */
@FunctionalInterface
public interface NanoClock {
  /** Returns the current reading in nanoseconds; never decreases. Thread-safe. */
  long nanoTime();

  /** The JVM's {@link System#nanoTime()}. */
  static NanoClock system() {
    return System::nanoTime;
  }
}
