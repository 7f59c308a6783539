package dev.clipserve.loadtest.ab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clipserve.loadtest.run.ArrivalSchedule;
import dev.clipserve.loadtest.run.LoadDriver;
import dev.clipserve.loadtest.run.LoadLevel;
import dev.clipserve.loadtest.run.NanoClock;
import dev.clipserve.loadtest.run.Pacer;
import dev.clipserve.loadtest.run.RequestSender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AbRunnerTest {
  private final AtomicLong now = new AtomicLong();
  private final NanoClock clock = now::get;
  private final Pacer pacer = deadline -> now.accumulateAndGet(deadline, Math::max);
  private final List<String> order = new ArrayList<>();

  /** A model that takes {@code millis} of fake time per call. */
  private RequestSender model(String name, long millis) {
    return seq -> {
      if (seq == 0) { // each window starts its own sequence
        order.add(name);
      }
      now.addAndGet(millis * 1_000_000);
      return CompletableFuture.completedFuture(1);
    };
  }

  @Test
  void alternatesWindowsAndReportsTheRatioPerRound() throws Exception {
    LoadDriver driver = new LoadDriver(clock, pacer, ArrivalSchedule.Kind.CONSTANT, 4, 0,
        Duration.ZERO, 1);
    AbRunner runner = new AbRunner(driver, line -> { });
    List<LevelComparison> out = runner.run(new AbRunner.Config(
            List.of(LoadLevel.closed(1)), 4, Duration.ofMillis(100), Duration.ZERO, Duration.ZERO),
        List.of("teacher", "student"),
        name -> name.equals("teacher") ? model("teacher", 10) : model("student", 2));
    assertEquals(List.of("teacher", "student", "student", "teacher", "teacher", "student",
        "student", "teacher"), order);
    LevelComparison c1 = out.get(0);
    assertEquals(100.0, c1.results().get(0).itemsPerSecond(), 1e-9);
    assertEquals(500.0, c1.results().get(1).itemsPerSecond(), 1e-9);
    Spread s = c1.speedup().orElseThrow();
    assertEquals(5.0, s.mean(), 1e-9);
    assertEquals(0.0, s.stdev(), 1e-9);
    assertEquals(4, s.values().size());
  }

  @Test
  void spreadOfRatiosUsesSampleStandardDeviation() {
    Spread s = Spread.of(List.of(4.0, 5.0, 6.0));
    assertEquals(5.0, s.mean(), 1e-12);
    assertEquals(1.0, s.stdev(), 1e-12);
    assertEquals(4.0, s.min());
    assertEquals(6.0, s.max());
  }
}
