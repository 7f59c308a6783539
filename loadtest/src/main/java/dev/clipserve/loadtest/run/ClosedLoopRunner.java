package dev.clipserve.loadtest.run;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed loop: {@code concurrency} callers each keep exactly one request in flight, sending the
 * next as soon as the previous one completes (asynchronously: no thread per caller). Measures what
 * the server sustains at a fixed concurrency; latencies are from the actual send time, which is
 * also the intended one here.
 *
 * <p>Stops by itself: no caller starts a request after the end of the duration or after
 * {@code maxRequests} measured requests; {@link #run} then waits at most {@code drainTimeout}.
 */
public final class ClosedLoopRunner {
  /**
   * @param concurrency number of callers, > 0
   * @param warmup time at the start whose requests are not measured (>= 0)
   * @param duration measured time after the warm-up, > 0
   * @param maxRequests stop after this many measured requests (0: no limit)
   * @param drainTimeout longest wait for in-flight calls after the end
   */
  public record Config(
      int concurrency, Duration warmup, Duration duration, long maxRequests,
      Duration drainTimeout) {
    public Config {
      if (concurrency <= 0 || maxRequests < 0) {
        throw new IllegalArgumentException("concurrency must be > 0, maxRequests >= 0");
      }
      if (duration.isNegative() || duration.isZero() || warmup.isNegative()) {
        throw new IllegalArgumentException("duration must be > 0 and warm-up >= 0");
      }
    }
  }

  private final NanoClock clock;

  public ClosedLoopRunner(NanoClock clock) {
    this.clock = clock;
  }

  /** Runs {@code concurrency} callers against {@code sender}, recording into measurement. */
  public RunResult run(Config config, RequestSender sender, Measurement measurement)
      throws InterruptedException {
    long start = clock.nanoTime();
    long measureStart = start + config.warmup().toNanos();
    long end = measureStart + config.duration().toNanos();
    Loop loop = new Loop(config, sender, measurement, measureStart, end);
    for (int i = 0; i < config.concurrency(); i++) {
      loop.caller();
    }
    long waitNanos = config.warmup().plus(config.duration()).plus(config.drainTimeout()).toNanos();
    if (!loop.finished.await(waitNanos, TimeUnit.NANOSECONDS)) {
      measurement.recordError("DRAIN_TIMEOUT");
    }
    long measuredNanos = loop.stoppedByCount
        ? Math.max(1, loop.lastCompletion.get() - measureStart)
        : end - measureStart;
    return new RunResult(
        measurement.requests(), measurement.items(), measurement.errors(),
        measurement.errorsByCode(), measuredNanos, measurement.total(), 0);
  }

  private final class Loop {
    final Config config;
    final RequestSender sender;
    final Measurement measurement;
    final long measureStart;
    final long end;
    final CountDownLatch finished;
    final AtomicLong sequence = new AtomicLong();
    final AtomicLong measuredSent = new AtomicLong();
    final AtomicLong lastCompletion = new AtomicLong();
    volatile boolean stoppedByCount;

    Loop(Config config, RequestSender sender, Measurement measurement, long measureStart,
        long end) {
      this.config = config;
      this.sender = sender;
      this.measurement = measurement;
      this.measureStart = measureStart;
      this.end = end;
      this.finished = new CountDownLatch(config.concurrency());
    }

    /**
     * Runs one caller: loops while calls complete synchronously (no unbounded recursion with fast
     * fakes) and re-enters from the completion callback otherwise.
     */
    void caller() {
      while (true) {
        long sentAt = clock.nanoTime();
        if (sentAt >= end) {
          finished.countDown();
          return;
        }
        boolean measured = sentAt >= measureStart;
        if (measured && config.maxRequests() > 0
            && measuredSent.incrementAndGet() > config.maxRequests()) {
          stoppedByCount = true;
          finished.countDown();
          return;
        }
        CompletableFuture<Integer> call = sendSafely();
        if (call.isDone()) {
          complete(call, sentAt, measured);
          continue;
        }
        call.whenComplete((n, e) -> {
          complete(call, sentAt, measured);
          caller();
        });
        return;
      }
    }

    private CompletableFuture<Integer> sendSafely() {
      try {
        return sender.send(sequence.getAndIncrement());
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    private void complete(CompletableFuture<Integer> call, long sentAt, boolean measured) {
      long done = clock.nanoTime();
      lastCompletion.accumulateAndGet(done, Math::max);
      if (!measured) {
        return;
      }
      try {
        measurement.recordSuccess(done - sentAt, call.join());
      } catch (RuntimeException e) {
        measurement.recordError(ErrorCodes.of(e));
      }
    }
  }
}
