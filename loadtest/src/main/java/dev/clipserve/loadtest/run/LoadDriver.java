package dev.clipserve.loadtest.run;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Runs one measured run at a {@link LoadLevel}, choosing the closed- or open-loop runner. Holds
 * only configuration; safe to reuse for consecutive runs (one at a time).
 */
public final class LoadDriver {
  /** How often a long run prints a progress line. */
  public static final Duration PROGRESS_PERIOD = Duration.ofSeconds(2);

  private final NanoClock clock;
  private final Pacer pacer;
  private final ArrivalSchedule.Kind arrivals;
  private final int maxOutstanding;
  private final long maxRequests;
  private final Duration drainTimeout;
  private final long seed;

  /**
   * @param arrivals open-loop spacing
   * @param maxOutstanding open-loop in-flight cap (> 0)
   * @param maxRequests measured requests per run (0: limited by duration only)
   * @param drainTimeout longest wait for in-flight calls at the end of a run
   */
  public LoadDriver(NanoClock clock, Pacer pacer, ArrivalSchedule.Kind arrivals,
      int maxOutstanding, long maxRequests, Duration drainTimeout, long seed) {
    this.clock = clock;
    this.pacer = pacer;
    this.arrivals = arrivals;
    this.maxOutstanding = maxOutstanding;
    this.maxRequests = maxRequests;
    this.drainTimeout = drainTimeout;
    this.seed = seed;
  }

  /** Runs {@code sender} at {@code level}: warm-up (not measured), then {@code duration}. */
  public RunResult run(LoadLevel level, Duration warmup, Duration duration, RequestSender sender)
      throws InterruptedException {
    return run(level, warmup, duration, sender, null);
  }

  /**
   * As {@link #run(LoadLevel, Duration, Duration, RequestSender)}, printing a progress line to
   * {@code progress} every {@code PROGRESS_PERIOD} when the run is longer than that (null: none).
   */
  public RunResult run(LoadLevel level, Duration warmup, Duration duration, RequestSender sender,
      Consumer<String> progress) throws InterruptedException {
    Measurement m = new Measurement();
    ScheduledExecutorService ticker = null;
    if (progress != null && warmup.plus(duration).compareTo(PROGRESS_PERIOD) > 0) {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loadtest-progress");
        t.setDaemon(true);
        return t;
      });
      long started = clock.nanoTime();
      long[] lastItems = {0};
      long[] lastAt = {started};
      ticker.scheduleAtFixedRate(() -> {
        long now = clock.nanoTime();
        Histogram h = m.interval();
        long items = m.items();
        double ips = (items - lastItems[0]) * 1e9 / Math.max(1, now - lastAt[0]);
        lastItems[0] = items;
        lastAt[0] = now;
        progress.accept(String.format(Locale.ROOT,
            "  %-7s %5.1fs  %8.1f items/s  p50 %7.2f ms  p99 %7.2f ms  errors %d",
            level.label(), (now - started) / 1e9, ips,
            h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1e3,
            h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1e3, m.errors()));
      }, PROGRESS_PERIOD.toMillis(), PROGRESS_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }
    try {
      if (level.mode() == LoadLevel.Mode.CLOSED) {
        return new ClosedLoopRunner(clock).run(new ClosedLoopRunner.Config(
            (int) level.value(), warmup, duration, maxRequests, drainTimeout), sender, m);
      }
      return new OpenLoopRunner(clock, pacer).run(new OpenLoopRunner.Config(arrivals,
          level.value(), warmup, duration, maxRequests, maxOutstanding, drainTimeout, seed),
          sender, m);
    } finally {
      if (ticker != null) {
        ticker.shutdownNow();
      }
    }
  }

  /** The clock runs are timed with. */
  public NanoClock clock() {
    return clock;
  }
}
