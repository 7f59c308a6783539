package dev.clipserve.loadtest.run;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Open loop: requests go out at the schedule's intended times whatever the server does, and each
 * latency is measured from its <em>intended</em> send time. When the server stalls, requests that
 * should have gone out meanwhile are counted with the time they spent waiting, so coordinated
 * omission cannot hide queueing (HdrHistogram's and wrk2's rule).
 *
 * <p>At most {@code maxOutstanding} requests are in flight; when that many are, the sending thread
 * waits for a slot, and the wait shows up in the latencies (never as a missing sample). The run
 * stops by itself: at the end of the duration or after {@code maxRequests} measured requests, then
 * waits at most {@code drainTimeout} for calls still in flight.
 *
 * <p>One run at a time per instance; {@link #run} blocks the calling thread.
 */
public final class OpenLoopRunner {
  /**
   * @param arrivals constant or Poisson spacing
   * @param ratePerSecond target requests per second, > 0
   * @param warmup time at the start whose requests are sent but not measured (>= 0)
   * @param duration measured time after the warm-up, > 0
   * @param maxRequests stop after this many measured requests (0: no limit)
   * @param maxOutstanding most requests in flight, > 0
   * @param drainTimeout longest wait for in-flight calls after the last send
   * @param seed seed of Poisson arrivals
   */
  public record Config(
      ArrivalSchedule.Kind arrivals, double ratePerSecond, Duration warmup, Duration duration,
      long maxRequests, int maxOutstanding, Duration drainTimeout, long seed) {
    public Config {
      if (!(ratePerSecond > 0)) {
        throw new IllegalArgumentException("rate must be > 0");
      }
      if (duration.isNegative() || duration.isZero() || warmup.isNegative()) {
        throw new IllegalArgumentException("duration must be > 0 and warm-up >= 0");
      }
      if (maxOutstanding <= 0 || maxRequests < 0) {
        throw new IllegalArgumentException("maxOutstanding must be > 0, maxRequests >= 0");
      }
    }
  }

  private final NanoClock clock;
  private final Pacer pacer;

  public OpenLoopRunner(NanoClock clock, Pacer pacer) {
    this.clock = clock;
    this.pacer = pacer;
  }

  /** Runs the schedule against {@code sender}, recording into {@code measurement}. */
  public RunResult run(Config config, RequestSender sender, Measurement measurement)
      throws InterruptedException {
    ArrivalSchedule schedule =
        ArrivalSchedule.of(config.arrivals(), config.ratePerSecond(), config.seed());
    Semaphore slots = new Semaphore(config.maxOutstanding());
    AtomicLong measuredSent = new AtomicLong();
    long start = clock.nanoTime();
    long measureStart = start + config.warmup().toNanos();
    long end = measureStart + config.duration().toNanos();
    long maxLag = 0;
    boolean stoppedByCount = false;
    for (long seq = 0; ; seq++) {
      long intended = start + schedule.nextOffsetNanos();
      if (intended >= end) {
        break;
      }
      boolean measured = intended >= measureStart;
      if (measured && config.maxRequests() > 0
          && measuredSent.get() >= config.maxRequests()) {
        stoppedByCount = true;
        break;
      }
      pacer.awaitUntil(intended);
      slots.acquire();
      long sentAt = clock.nanoTime();
      if (measured) {
        maxLag = Math.max(maxLag, sentAt - intended);
        measuredSent.incrementAndGet();
      }
      CompletableFuture<Integer> call;
      try {
        call = sender.send(seq);
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      call.whenComplete((itemCount, error) -> {
        long done = clock.nanoTime();
        slots.release();
        if (!measured) {
          return;
        }
        if (error == null) {
          measurement.recordSuccess(done - intended, itemCount);
        } else {
          measurement.recordError(ErrorCodes.of(error));
        }
      });
    }
    boolean drained = slots.tryAcquire(
        config.maxOutstanding(), config.drainTimeout().toNanos(), TimeUnit.NANOSECONDS);
    long measuredNanos = stoppedByCount ? clock.nanoTime() - measureStart : end - measureStart;
    if (!drained) {
      measurement.recordError("DRAIN_TIMEOUT");
    }
    return new RunResult(
        measurement.requests(), measurement.items(), measurement.errors(),
        measurement.errorsByCode(), measuredNanos, measurement.total(), maxLag);
  }
}
