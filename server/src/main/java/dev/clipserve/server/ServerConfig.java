package dev.clipserve.server;

import dev.clipserve.server.inference.InferenceOptions;
import dev.clipserve.server.inference.ProviderPreference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the server is configured with. Built from command-line flags, then environment
 * variables, then defaults ({@link #parse}); each field documents its unit, default and what 0 means.
 *
 * @param port TCP port to listen on (default 50051; 0 picks a free port, logged at start)
 * @param bindAddress address to bind (default {@code 0.0.0.0}: all interfaces)
 * @param modelsDir the model repository folder (default {@code models/})
 * @param inference ONNX Runtime threads and execution-provider preference
 * @param maxItemsPerRequest most images or texts in one request (default 256)
 * @param maxImagePixels most pixels (width x height) an image may declare (default 40,000,000);
 *     checked on the header before decoding
 * @param maxEncodedImageBytes most bytes of one encoded image (default 32 MiB)
 * @param maxTextChars most characters (UTF-16 units) of one text (default 10,000)
 * @param maxMessageBytes most bytes of one gRPC request message (default 256 MiB)
 * @param executorThreads threads that run calls (default 2x available processors)
 * @param executorQueue calls that may wait for a thread before new ones are refused (default 1024)
 * @param shutdownGrace how long in-flight calls may run after SIGTERM (default 30 s)
 * @param dataDir folder for the server's state: the search index and trained textness vectors
 *     (default {@code data/}; never inside the model repository)
 * @param indexDir folder of the search indexes, one subfolder per embedding space (default {@code
 *     <dataDir>/index})
 * @param batching batching overrides and executor layout (see {@link BatchingConfig} and
 *     docs/batching.md)
 * @param metricsPort TCP port of the Prometheus {@code /metrics} endpoint (default 9464; 0 or
 *     {@code --no-metrics}: no endpoint)
 */
public record ServerConfig(
    int port,
    String bindAddress,
    Path modelsDir,
    InferenceOptions inference,
    int maxItemsPerRequest,
    long maxImagePixels,
    int maxEncodedImageBytes,
    int maxTextChars,
    int maxMessageBytes,
    int executorThreads,
    int executorQueue,
    Duration shutdownGrace,
    Path dataDir,
    Path indexDir,
    BatchingConfig batching,
    int metricsPort) {

  /** One option: its flag, environment variable, default and description (for {@code --help}). */
  record Option(String flag, String env, String defaultValue, String help) {}

  static final List<Option> OPTIONS =
      List.of(
          new Option("--port", "CLIPSERVE_PORT", "50051", "TCP port (0: pick a free one)"),
          new Option("--bind", "CLIPSERVE_BIND", "0.0.0.0", "address to listen on"),
          new Option("--models", "CLIPSERVE_MODELS", "models", "model repository folder"),
          new Option(
              "--threads", "CLIPSERVE_THREADS", "0", "ONNX Runtime intra-op threads per model (0: ORT default)"),
          new Option(
              "--inter-op-threads",
              "CLIPSERVE_INTER_OP_THREADS",
              "0",
              "ONNX Runtime inter-op threads per model (0: ORT default)"),
          new Option(
              "--spinning",
              "CLIPSERVE_SPINNING",
              "false",
              "let idle ONNX Runtime threads busy-wait (true: lower latency on dedicated cores)"),
          new Option(
              "--provider", "CLIPSERVE_PROVIDER", "auto", "auto (CUDA if it loads, else CPU) | cpu | cuda"),
          new Option("--max-items", "CLIPSERVE_MAX_ITEMS", "256", "most images/texts per request"),
          new Option(
              "--max-image-pixels", "CLIPSERVE_MAX_IMAGE_PIXELS", "40000000", "most pixels one image may declare"),
          new Option(
              "--max-image-bytes", "CLIPSERVE_MAX_IMAGE_BYTES", "33554432", "most bytes of one encoded image"),
          new Option("--max-text-chars", "CLIPSERVE_MAX_TEXT_CHARS", "10000", "most characters of one text"),
          new Option(
              "--max-message-bytes", "CLIPSERVE_MAX_MESSAGE_BYTES", "268435456", "most bytes of one request"),
          new Option(
              "--executor-threads", "CLIPSERVE_EXECUTOR_THREADS", "0", "call threads (0: 2x processors)"),
          new Option("--executor-queue", "CLIPSERVE_EXECUTOR_QUEUE", "1024", "calls waiting for a thread"),
          new Option(
              "--shutdown-grace-ms", "CLIPSERVE_SHUTDOWN_GRACE_MS", "30000", "time for in-flight calls on SIGTERM"),
          new Option("--data-dir", "CLIPSERVE_DATA_DIR", "data", "server state: search index, trained textness vectors"),
          new Option("--index-dir", "CLIPSERVE_INDEX_DIR", "", "search indexes (empty: <data-dir>/index)"),
          new Option(
              "--max-batch-size", "CLIPSERVE_MAX_BATCH_SIZE", "", "override every model's max_batch_size (1: batching off)"),
          new Option(
              "--preferred-batch-sizes",
              "CLIPSERVE_PREFERRED_BATCH_SIZES",
              "",
              "override preferred_batch_sizes, comma-separated ('none': no preferred sizes)"),
          new Option(
              "--max-queue-delay-us",
              "CLIPSERVE_MAX_QUEUE_DELAY_US",
              "",
              "override max_queue_delay_us: how long the oldest item may wait for a fuller batch"),
          new Option(
              "--max-queue-size", "CLIPSERVE_MAX_QUEUE_SIZE", "", "override max_queue_size, items waiting per model"),
          new Option(
              "--default-timeout-ms",
              "CLIPSERVE_DEFAULT_TIMEOUT_MS",
              "",
              "override default_timeout_ms for calls without a deadline (0: none)"),
          new Option("--batch-executors", "CLIPSERVE_BATCH_EXECUTORS", "1", "batches of one model run at once"),
          new Option(
              "--session-per-executor",
              "CLIPSERVE_SESSION_PER_EXECUTOR",
              "false",
              "each executor gets its own ONNX Runtime session (false: they share one)"),
          new Option(
              "--preprocess-threads", "CLIPSERVE_PREPROCESS_THREADS", "0", "decode/resize/tokenize threads (0: processors)"),
          new Option(
              "--preprocess-queue", "CLIPSERVE_PREPROCESS_QUEUE", "1024", "calls waiting for preprocessing"),
          new Option(
              "--metrics-port", "CLIPSERVE_METRICS_PORT", "9464", "Prometheus /metrics port (0: off; also --no-metrics)"));

  /** Validates ranges. */
  public ServerConfig {
    if (port < 0 || port > 65535) {
      throw new ConfigException("--port must be 0..65535, got " + port);
    }
    if (bindAddress == null || bindAddress.isBlank()) {
      throw new ConfigException("--bind must not be empty");
    }
    positive("--max-items", maxItemsPerRequest);
    positive("--max-image-pixels", maxImagePixels);
    positive("--max-image-bytes", maxEncodedImageBytes);
    positive("--max-text-chars", maxTextChars);
    positive("--max-message-bytes", maxMessageBytes);
    positive("--executor-threads", executorThreads);
    positive("--executor-queue", executorQueue);
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new ConfigException("--metrics-port must be 0..65535, got " + metricsPort);
    }
    if (batching == null) {
      throw new ConfigException("batching settings are required");
    }
  }

  /** The defaults, with {@code modelsDir} as the repository and no metrics endpoint (tests). */
  public static ServerConfig defaults(Path modelsDir) {
    return parse(new String[] {"--models", modelsDir.toString(), "--no-metrics"}, Map.of());
  }

  /** A copy with another data folder (and the index under it). */
  public ServerConfig withDataDir(Path dir) {
    return new ServerConfig(
        port, bindAddress, modelsDir, inference, maxItemsPerRequest, maxImagePixels,
        maxEncodedImageBytes, maxTextChars, maxMessageBytes, executorThreads, executorQueue,
        shutdownGrace, dir, dir.resolve("index"), batching, metricsPort);
  }

  /** A copy with other batching settings. */
  public ServerConfig withBatching(BatchingConfig newBatching) {
    return new ServerConfig(
        port, bindAddress, modelsDir, inference, maxItemsPerRequest, maxImagePixels,
        maxEncodedImageBytes, maxTextChars, maxMessageBytes, executorThreads, executorQueue,
        shutdownGrace, dataDir, indexDir, newBatching, metricsPort);
  }

  /** A copy with another metrics port (0: off). */
  public ServerConfig withMetricsPort(int newMetricsPort) {
    return new ServerConfig(
        port, bindAddress, modelsDir, inference, maxItemsPerRequest, maxImagePixels,
        maxEncodedImageBytes, maxTextChars, maxMessageBytes, executorThreads, executorQueue,
        shutdownGrace, dataDir, indexDir, batching, newMetricsPort);
  }

  /** A copy with another port. */
  public ServerConfig withPort(int newPort) {
    return new ServerConfig(
        newPort, bindAddress, modelsDir, inference, maxItemsPerRequest, maxImagePixels,
        maxEncodedImageBytes, maxTextChars, maxMessageBytes, executorThreads, executorQueue,
        shutdownGrace, dataDir, indexDir, batching, metricsPort);
  }

  /** A copy with another per-request item limit. */
  public ServerConfig withMaxItemsPerRequest(int maxItems) {
    return new ServerConfig(
        port, bindAddress, modelsDir, inference, maxItems, maxImagePixels, maxEncodedImageBytes,
        maxTextChars, maxMessageBytes, executorThreads, executorQueue, shutdownGrace, dataDir, indexDir, batching, metricsPort);
  }

  /** A copy with another image pixel limit. */
  public ServerConfig withMaxImagePixels(long maxPixels) {
    return new ServerConfig(
        port, bindAddress, modelsDir, inference, maxItemsPerRequest, maxPixels, maxEncodedImageBytes,
        maxTextChars, maxMessageBytes, executorThreads, executorQueue, shutdownGrace, dataDir, indexDir, batching, metricsPort);
  }

  /** A copy with another text length limit. */
  public ServerConfig withMaxTextChars(int maxChars) {
    return new ServerConfig(
        port, bindAddress, modelsDir, inference, maxItemsPerRequest, maxImagePixels,
        maxEncodedImageBytes, maxChars, maxMessageBytes, executorThreads, executorQueue,
        shutdownGrace, dataDir, indexDir, batching, metricsPort);
  }

  /**
   * Reads the configuration: a flag ({@code --port 1234} or {@code --port=1234}) wins over its
   * environment variable ({@code CLIPSERVE_PORT}), which wins over the default.
   *
   * @throws ConfigException on an unknown flag, a missing value or a value out of range
   * @throws HelpRequested when {@code --help} or {@code -h} is given
   */
  public static ServerConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Option o : OPTIONS) {
      String fromEnv = env.get(o.env());
      values.put(o.flag(), fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : o.defaultValue());
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new HelpRequested(usage());
      }
      if (arg.equals("--no-metrics")) {
        values.put("--metrics-port", "0");
        continue;
      }
      String flag = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (!values.containsKey(flag)) {
        throw new ConfigException("unknown option '" + arg + "' (see --help)");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new ConfigException(flag + " needs a value");
        }
        value = args[++i];
      }
      values.put(flag, value);
    }
    int processors = Runtime.getRuntime().availableProcessors();
    int executorThreads = integer(values, "--executor-threads");
    return new ServerConfig(
        integer(values, "--port"),
        values.get("--bind"),
        Path.of(values.get("--models")),
        new InferenceOptions(
            nonNegative("--threads", integer(values, "--threads")),
            nonNegative("--inter-op-threads", integer(values, "--inter-op-threads")),
            provider(values.get("--provider")),
            bool(values, "--spinning")),
        integer(values, "--max-items"),
        longValue(values, "--max-image-pixels"),
        integer(values, "--max-image-bytes"),
        integer(values, "--max-text-chars"),
        integer(values, "--max-message-bytes"),
        executorThreads == 0 ? 2 * processors : executorThreads,
        integer(values, "--executor-queue"),
        Duration.ofMillis(nonNegative("--shutdown-grace-ms", longValue(values, "--shutdown-grace-ms"))),
        Path.of(values.get("--data-dir")),
        values.get("--index-dir").isBlank()
            ? Path.of(values.get("--data-dir")).resolve("index")
            : Path.of(values.get("--index-dir")),
        batching(values),
        integer(values, "--metrics-port"));
  }

  private static BatchingConfig batching(Map<String, String> values) {
    List<Integer> preferred = null;
    String p = values.get("--preferred-batch-sizes").trim();
    if (p.equalsIgnoreCase("none")) {
      preferred = List.of();
    } else if (!p.isEmpty()) {
      preferred = new ArrayList<>();
      for (String part : p.split(",")) {
        try {
          preferred.add(Integer.parseInt(part.trim()));
        } catch (NumberFormatException e) {
          throw new ConfigException("--preferred-batch-sizes must be integers separated by commas, got '" + p + "'");
        }
      }
    }
    String session = values.get("--session-per-executor").trim().toLowerCase(Locale.ROOT);
    if (!session.equals("true") && !session.equals("false")) {
      throw new ConfigException("--session-per-executor must be true or false, got '" + session + "'");
    }
    return new BatchingConfig(
        (int) optionalNonNegative(values, "--max-batch-size"),
        preferred,
        optionalNonNegative(values, "--max-queue-delay-us"),
        (int) Math.min(Integer.MAX_VALUE, optionalNonNegative(values, "--max-queue-size")),
        optionalNonNegative(values, "--default-timeout-ms"),
        integer(values, "--batch-executors"),
        session.equals("true"),
        nonNegative("--preprocess-threads", integer(values, "--preprocess-threads")),
        integer(values, "--preprocess-queue"));
  }

  /** -1 when the option is unset (empty), else its value, which must be >= 0. */
  private static long optionalNonNegative(Map<String, String> values, String flag) {
    if (values.get(flag).isBlank()) {
      return -1;
    }
    return nonNegative(flag, longValue(values, flag));
  }

  /** The {@code --help} text: every flag with its environment variable and default. */
  public static String usage() {
    List<String> lines = new ArrayList<>();
    lines.add("usage: clipserve-server [options]");
    lines.add("Serves CLIP image/text encoders from a model repository over gRPC.");
    lines.add("Each option can also be set by its environment variable; a flag wins.");
    lines.add("");
    for (Option o : OPTIONS) {
      lines.add(
          String.format(
              Locale.ROOT, "  %-28s %-32s %s (default %s)", o.flag() + " V", o.env(), o.help(),
              o.defaultValue().isEmpty() ? "unset" : o.defaultValue()));
    }
    lines.add(String.format(Locale.ROOT, "  %-28s %-32s %s", "--no-metrics", "", "no /metrics endpoint"));
    return String.join("\n", lines);
  }

  private static ProviderPreference provider(String value) {
    try {
      return ProviderPreference.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--provider must be auto, cpu or cuda, got '" + value + "'");
    }
  }

  private static boolean bool(Map<String, String> values, String flag) {
    String v = values.get(flag).trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(flag + " must be true or false, got '" + values.get(flag) + "'");
    };
  }

  private static int integer(Map<String, String> values, String flag) {
    long v = longValue(values, flag);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new ConfigException(flag + " is out of range: " + v);
    }
    return (int) v;
  }

  private static long longValue(Map<String, String> values, String flag) {
    String raw = values.get(flag).trim().replace("_", "");
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw new ConfigException(flag + " must be an integer, got '" + values.get(flag) + "'");
    }
  }

  private static <T extends Number> T nonNegative(String flag, T value) {
    if (value.longValue() < 0) {
      throw new ConfigException(flag + " must be >= 0, got " + value);
    }
    return value;
  }

  private static void positive(String flag, long value) {
    if (value <= 0) {
      throw new ConfigException(flag + " must be > 0, got " + value);
    }
  }

  /** A configuration error; the message is meant for the operator. */
  public static final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }

  /** {@code --help} was asked for; the message is the usage text. */
  public static final class HelpRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HelpRequested(String usage) {
      super(usage);
    }
  }
}
