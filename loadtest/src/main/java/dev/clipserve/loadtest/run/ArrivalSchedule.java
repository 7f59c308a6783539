package dev.clipserve.loadtest.run;

import java.util.SplittableRandom;

/**
 * The intended send times of an open-loop run, as offsets from its start. The sequence depends
 * only on the rate (and seed), never on responses: a slow server cannot push later requests back,
 * which is what keeps coordinated omission out of the measurement.
 *
 * <p>Not thread-safe: one schedule per run, read by the run's single sending thread.
 */
public interface ArrivalSchedule {
  /** Returns the next intended send offset in nanoseconds; non-decreasing, starting near 0. */
  long nextOffsetNanos();

  /** How arrivals are spaced. */
  enum Kind {
    /** Evenly spaced, 1/rate apart. */
    CONSTANT,
    /** Exponentially distributed gaps with mean 1/rate (a Poisson process). */
    POISSON
  }

  /**
   * Creates a schedule.
   *
   * @param kind constant or Poisson
   * @param ratePerSecond requests per second, > 0
   * @param seed seed for Poisson gaps (ignored for constant)
   */
  static ArrivalSchedule of(Kind kind, double ratePerSecond, long seed) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be > 0 and finite, got " + ratePerSecond);
    }
    double meanGapNanos = 1e9 / ratePerSecond;
    if (kind == Kind.CONSTANT) {
      return new ArrivalSchedule() {
        private long index;

        @Override
        public long nextOffsetNanos() {
          // Multiply instead of accumulate: no drift from rounding over long runs.
          return Math.round(index++ * meanGapNanos);
        }
      };
    }
    SplittableRandom random = new SplittableRandom(seed);
    return new ArrivalSchedule() {
      private double offset;
      private boolean first = true;

      @Override
      public long nextOffsetNanos() {
        if (first) {
          first = false;
          return 0;
        }
        offset += -Math.log(1.0 - random.nextDouble()) * meanGapNanos;
        return Math.round(offset);
      }
    };
  }
}
