package dev.clipserve.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {
  @Test
  void constantRateSpacesArrivalsExactlyWithoutDrift() {
    ArrivalSchedule s = ArrivalSchedule.of(ArrivalSchedule.Kind.CONSTANT, 3, 0);
    assertEquals(0, s.nextOffsetNanos());
    assertEquals(333_333_333, s.nextOffsetNanos());
    assertEquals(666_666_667, s.nextOffsetNanos());
    for (int i = 3; i < 3_000; i++) {
      s.nextOffsetNanos();
    }
    assertEquals(1_000_000_000_000L, s.nextOffsetNanos());
  }

  @Test
  void poissonArrivalsAverageTheRateAndRepeatForASeed() {
    ArrivalSchedule a = ArrivalSchedule.of(ArrivalSchedule.Kind.POISSON, 1000, 42);
    ArrivalSchedule b = ArrivalSchedule.of(ArrivalSchedule.Kind.POISSON, 1000, 42);
    long last = 0;
    long prev = -1;
    for (int i = 0; i < 100_000; i++) {
      last = a.nextOffsetNanos();
      assertEquals(last, b.nextOffsetNanos());
      assertTrue(last >= prev);
      prev = last;
    }
    // 99,999 gaps of mean 1 ms: 100 s within 1 %.
    assertEquals(100.0, last / 1e9, 1.0);
  }

  @Test
  void rejectsNonPositiveRate() {
    assertThrows(IllegalArgumentException.class,
        () -> ArrivalSchedule.of(ArrivalSchedule.Kind.CONSTANT, 0, 0));
  }
}
