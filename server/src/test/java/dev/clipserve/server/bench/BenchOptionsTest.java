package dev.clipserve.server.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("--sizes", "100000");
    d.put("--seconds", "8");
    d.put("--out", "target/bench/x.json");
    return d;
  }

  @Test
  void keepsDefaultsAndTakesBothSpellings() {
    BenchOptions o = BenchOptions.parse(new String[] {"--sizes", "10,20", "--seconds=2.5"}, defaults());
    assertArrayEquals(new int[] {10, 20}, o.getInts("--sizes"));
    assertEquals(2.5, o.getDouble("--seconds"));
    assertEquals("target/bench/x.json", o.get("--out"));
  }

  @Test
  void rejectsUnknownOptionInsteadOfRunningTheDefault() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--size", "1000000"}, defaults()));
    assertTrue(e.getMessage().contains("--size"), e.getMessage());
  }

  @Test
  void rejectsTrailingOptionWithoutValue() {
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--seconds"}, defaults()));
  }
}
