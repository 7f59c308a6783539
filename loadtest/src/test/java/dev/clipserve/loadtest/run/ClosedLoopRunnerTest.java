package dev.clipserve.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClosedLoopRunnerTest {
  private final FakeClock clock = new FakeClock();
  private final ClosedLoopRunner runner = new ClosedLoopRunner(clock);

  @Test
  void oneCallerSendsBackToBackAndMeasuresEachCall() throws Exception {
    RunResult r = runner.run(
        new ClosedLoopRunner.Config(1, Duration.ZERO, Duration.ofSeconds(1), 0, Duration.ZERO),
        seq -> {
          clock.advanceMillis(10);
          return CompletableFuture.completedFuture(4);
        },
        new Measurement());
    assertEquals(100, r.requests());
    assertEquals(400.0, r.itemsPerSecond(), 1e-9);
    assertEquals(10, r.latency().p50Ms(), 0.01);
    assertEquals(10, r.latency().maxMs(), 0.01);
  }

  @Test
  void keepsConcurrencyCallsInFlight() throws Exception {
    Queue<CompletableFuture<Integer>> pending = new ConcurrentLinkedQueue<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    RequestSender sender = seq -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      CompletableFuture<Integer> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    };
    long endNanos = clock.nanoTime() + Duration.ofMillis(50).toNanos();
    CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> {
      try {
        return runner.run(new ClosedLoopRunner.Config(
            3, Duration.ZERO, Duration.ofMillis(50), 0, Duration.ofSeconds(5)), sender,
            new Measurement());
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    // The "server": once all three callers have a call pending (or the run's time is over and
    // the callers are draining), answers the oldest after 1 ms of fake time. Waiting for three
    // keeps the test independent of how fast the runner's threads start.
    long giveUp = System.nanoTime() + 10_000_000_000L;
    while (!run.isDone() && System.nanoTime() < giveUp) {
      boolean ready = pending.size() >= 3 || clock.nanoTime() >= endNanos;
      CompletableFuture<Integer> f = ready ? pending.poll() : null;
      if (f == null) {
        Thread.onSpinWait();
        continue;
      }
      clock.advanceMillis(1);
      inFlight.decrementAndGet();
      f.complete(1);
    }
    RunResult r = run.get(1, TimeUnit.SECONDS);
    assertEquals(3, maxInFlight.get());
    assertTrue(r.requests() >= 48 && r.requests() <= 52, "requests " + r.requests());
    assertEquals(3, r.latency().p50Ms(), 0.01); // each waits behind the other two
  }

  @Test
  void stopsAfterMaxMeasuredRequests() throws Exception {
    RunResult r = runner.run(
        new ClosedLoopRunner.Config(2, Duration.ZERO, Duration.ofHours(1), 9, Duration.ZERO),
        seq -> {
          clock.advanceMillis(1);
          return CompletableFuture.completedFuture(1);
        },
        new Measurement());
    assertEquals(9, r.requests());
  }
}
