package dev.clipserve.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {
  private static final double TOLERANCE_MS = 0.1; // 3 significant digits of 100 ms

  @Test
  void percentilesOfOneToHundredMillisecondsAreTheSamplesThemselves() {
    Measurement m = new Measurement();
    for (int ms = 100; ms >= 1; ms--) {
      m.recordSuccess(ms * 1_000_000L, 2);
    }
    LatencySummary s = LatencySummary.ofMicros(m.total());
    assertEquals(100, s.count());
    assertEquals(50.5, s.meanMs(), TOLERANCE_MS);
    assertEquals(50, s.p50Ms(), TOLERANCE_MS);
    assertEquals(90, s.p90Ms(), TOLERANCE_MS);
    assertEquals(99, s.p99Ms(), TOLERANCE_MS);
    assertEquals(100, s.p999Ms(), TOLERANCE_MS);
    assertEquals(100, s.maxMs(), TOLERANCE_MS);
    assertEquals(200, m.items());
  }

  @Test
  void tailPercentilesSeeOneOutlierInAThousand() {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(2_000, 998); // 2 ms
    h.recordValue(500_000); // 500 ms
    h.recordValue(1_000_000); // 1 s
    LatencySummary s = LatencySummary.ofMicros(h);
    assertEquals(2, s.p50Ms(), 0.01);
    assertEquals(2, s.p99Ms(), 0.01);
    assertEquals(500, s.p999Ms(), 0.5);
    assertEquals(1000, s.maxMs(), 1);
  }

  @Test
  void emptyHistogramSummarizesToZeros() {
    assertEquals(new LatencySummary(0, 0, 0, 0, 0, 0, 0),
        LatencySummary.ofMicros(new Histogram(3)));
  }

  @Test
  void intervalsAddUpToTheTotal() {
    Measurement m = new Measurement();
    m.recordSuccess(1_000_000, 1);
    assertEquals(1, m.interval().getTotalCount());
    m.recordSuccess(2_000_000, 1);
    m.recordError("UNAVAILABLE");
    assertEquals(1, m.interval().getTotalCount());
    assertEquals(2, m.total().getTotalCount());
    assertEquals(1, m.errorsByCode().get("UNAVAILABLE"));
  }
}
