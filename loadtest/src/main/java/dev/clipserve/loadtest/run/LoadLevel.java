package dev.clipserve.loadtest.run;

/**
 * One point of a sweep: a closed loop with {@code value} callers, or an open loop at
 * {@code value} requests per second.
 */
public record LoadLevel(Mode mode, double value) {
  /** Closed (fixed concurrency) or open (fixed arrival rate). */
  public enum Mode {
    CLOSED,
    OPEN
  }

  public LoadLevel {
    if (!(value > 0)) {
      throw new IllegalArgumentException("load level must be > 0, got " + value);
    }
    if (mode == Mode.CLOSED && value != Math.rint(value)) {
      throw new IllegalArgumentException("concurrency must be a whole number, got " + value);
    }
  }

  /** A closed loop with {@code callers} concurrent callers. */
  public static LoadLevel closed(int callers) {
    return new LoadLevel(Mode.CLOSED, callers);
  }

  /** An open loop at {@code ratePerSecond}. */
  public static LoadLevel open(double ratePerSecond) {
    return new LoadLevel(Mode.OPEN, ratePerSecond);
  }

  /** A short label: {@code c=8} or {@code 50/s}. */
  public String label() {
    if (mode == Mode.CLOSED) {
      return "c=" + (int) value;
    }
    return (value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value))
        + "/s";
  }
}
