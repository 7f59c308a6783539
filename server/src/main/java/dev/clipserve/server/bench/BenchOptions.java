package dev.clipserve.server.bench;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmarks' shared command line and result file handling: {@code --name value} or {@code
 * --name=value} over a map of defaults. An unknown option or a missing value is an error, so a
 * typo never silently runs the default benchmark.
 */
final class BenchOptions {
  private final Map<String, String> values;

  /** A bad command line: the benchmark did not start. */
  static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message);
    }
  }

  private BenchOptions(Map<String, String> values) {
    this.values = values;
  }

  /**
   * @param defaults option name (with its leading {@code --}) to default value, in help order
   * @throws UsageException on an unknown option or a missing value
   */
  static BenchOptions parse(String[] args, Map<String, String> defaults) {
    Map<String, String> values = new LinkedHashMap<>(defaults);
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException("missing value for " + name);
      }
      if (!values.containsKey(name)) {
        throw new UsageException("unknown option " + name + " (options: " + defaults.keySet() + ")");
      }
      values.put(name, value);
    }
    return new BenchOptions(values);
  }

  String get(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new UsageException("no such option " + name);
    }
    return v;
  }

  int getInt(String name) {
    return Integer.parseInt(get(name).trim());
  }

  double getDouble(String name) {
    return Double.parseDouble(get(name).trim());
  }

  /** A comma-separated list of integers. */
  int[] getInts(String name) {
    return Arrays.stream(get(name).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }

  /** Writes {@code doc} as pretty-printed JSON, creating the folder. */
  static void writeJson(Path out, Object doc) throws IOException {
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, new GsonBuilder().setPrettyPrinting().create().toJson(doc), StandardCharsets.UTF_8);
  }
}
