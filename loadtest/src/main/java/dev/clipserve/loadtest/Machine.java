package dev.clipserve.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Describes the machine the load generator runs on (read from the JVM and /proc, locally). */
final class Machine {
  private Machine() {}

  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name");
    String memKb = firstValue(Path.of("/proc/meminfo"), "MemTotal");
    int cpus = Runtime.getRuntime().availableProcessors();
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("arch", System.getProperty("os.arch"));
    m.put("cpus", cpus);
    m.put("cpu_model", cpu);
    m.put("memory", memKb);
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    m.put("summary", cpus + " CPUs" + (cpu == null ? "" : " (" + cpu + ")")
        + (memKb == null ? "" : ", " + memKb + " RAM"));
    return m;
  }

  private static String firstValue(Path file, String key) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (String l : lines) {
        if (l.startsWith(key)) {
          int colon = l.indexOf(':');
          return colon < 0 ? null : l.substring(colon + 1).strip();
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
