package dev.clipserve.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class OpenLoopRunnerTest {
  private final FakeClock clock = new FakeClock();
  private final OpenLoopRunner runner = new OpenLoopRunner(clock, clock);

  private static OpenLoopRunner.Config config(double rate, Duration warmup, Duration duration,
      long maxRequests, int maxOutstanding) {
    return new OpenLoopRunner.Config(ArrivalSchedule.Kind.CONSTANT, rate, warmup, duration,
        maxRequests, maxOutstanding, Duration.ofSeconds(1), 1);
  }

  /**
   * A server that answers in 1 ms, except that request 10 stalls it for 500 ms. It answers
   * synchronously with one slot: the sender cannot send while it stalls, exactly the situation in
   * which a naive generator would record one slow request and 49 fast ones.
   */
  private CompletableFuture<Integer> stallingServer(long seq) {
    clock.advanceMillis(seq == 10 ? 500 : 1);
    return CompletableFuture.completedFuture(1);
  }

  @Test
  void queuedRequestsIncludeTheStallSoCoordinatedOmissionCannotHideIt() throws Exception {
    // 100 requests/s for 1 s: intended every 10 ms.
    RunResult r = runner.run(config(100, Duration.ZERO, Duration.ofSeconds(1), 0, 1),
        this::stallingServer, new Measurement());

    assertEquals(100, r.requests());
    Histogram h = r.latencyMicros();
    // Request 10 (intended at 100 ms) took 500 ms. Request k > 10 (intended at 10k ms) went out
    // back to back after it, at 600 + (k - 11) ms, and finished 1 ms later: latency 590 - 9k ms,
    // which is >= 100 ms for k = 11..54. The backlog is gone by request 66.
    assertEquals(500, h.getMaxValue() / 1e3, 1);
    assertEquals(491, h.getValueAtPercentile(99) / 1e3, 1);
    long over100ms = h.getCountBetweenValues(100_000, Long.MAX_VALUE);
    assertEquals(45, over100ms); // request 10 and requests 11..54
    assertTrue(h.getValueAtPercentile(75) >= 100_000, "p75 sees the queue: " + r.latency());
    // Without the correction, 99 of 100 samples would be 1 ms and p75 would be 1 ms.
  }

  @Test
  void intendedTimesDoNotDependOnResponses() throws Exception {
    List<Long> sentAt = new ArrayList<>();
    RequestSender slowEveryFifth = seq -> {
      sentAt.add(clock.nanoTime());
      clock.advanceMillis(seq % 5 == 0 ? 3 : 1);
      return CompletableFuture.completedFuture(1);
    };
    long start = clock.nanoTime();
    runner.run(config(250, Duration.ZERO, Duration.ofMillis(100), 0, 4), slowEveryFifth,
        new Measurement());
    assertEquals(25, sentAt.size());
    for (int i = 0; i < sentAt.size(); i++) {
      assertEquals(start + i * 4_000_000L, sentAt.get(i)); // every 4 ms, as scheduled
    }
  }

  @Test
  void warmupRequestsAreSentButNotMeasured() throws Exception {
    int[] sent = {0};
    RunResult r = runner.run(config(100, Duration.ofMillis(200), Duration.ofMillis(500), 0, 8),
        seq -> {
          sent[0]++;
          clock.advanceMillis(1);
          return CompletableFuture.completedFuture(3);
        },
        new Measurement());
    assertEquals(70, sent[0]);
    assertEquals(50, r.requests());
    assertEquals(150, r.items());
    assertEquals(300.0, r.itemsPerSecond(), 1e-9);
  }

  @Test
  void stopsAfterMaxRequests() throws Exception {
    RunResult r = runner.run(config(1000, Duration.ZERO, Duration.ofHours(1), 7, 1),
        seq -> CompletableFuture.completedFuture(1), new Measurement());
    assertEquals(7, r.requests());
  }

  @Test
  void failuresAreCountedByCodeAndNotAsLatencies() throws Exception {
    RunResult r = runner.run(config(100, Duration.ZERO, Duration.ofMillis(100), 0, 1),
        seq -> seq % 2 == 0
            ? CompletableFuture.completedFuture(1)
            : CompletableFuture.failedFuture(
                io.grpc.Status.RESOURCE_EXHAUSTED.asRuntimeException()),
        new Measurement());
    assertEquals(5, r.requests());
    assertEquals(5, r.errors());
    assertEquals(5, r.errorsByCode().get("RESOURCE_EXHAUSTED"));
    assertEquals(5, r.latencyMicros().getTotalCount());
  }
}
