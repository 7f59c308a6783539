package dev.clipserve.loadtest;

import dev.clipserve.loadtest.run.ArrivalSchedule;
import dev.clipserve.loadtest.run.LoadLevel;
import dev.clipserve.loadtest.workload.ImageCorpus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command-line options of {@code clipserve-loadtest}; see {@link #USAGE}. Immutable.
 */
public record Options(
    String target, List<String> models, boolean ab, String workload, List<LoadLevel> levels,
    ArrivalSchedule.Kind arrivals, Duration duration, Duration warmup, Duration initialWarmup,
    int rounds, long maxRequests, int itemsPerCall, ImageCorpus.Format imageFormat,
    Path imageDir, Path evalDir, Path labels, int evalLimit, boolean accuracy,
    List<String> textnessQueries, Path textnessVector, double textness, boolean serverSearch,
    int maxOutstanding,
    Duration deadline, Path out, long seed) {

  static final String USAGE = """
      usage: clipserve-loadtest [options]
        --target HOST:PORT        server to load (default localhost:50051); nothing else is contacted
        --ab A,B                  A/B: same workload against baseline A and candidate B, alternating
                                  windows (e.g. teacher,student); reported as "teacher" and "student"
        --model NAME              single-model run (default teacher) when --ab is not given
        --workload W              images | texts | search (default images)
        --concurrency N,N,...     closed loop, one level per value (default 1,4,8)
        --rate R,R,...            open loop at R requests/s per level (replaces --concurrency)
        --arrivals K              open loop spacing: poisson | constant (default poisson)
        --duration D              measured time per window (A/B) or per level (default 3s)
        --warmup D                unmeasured lead-in of each window/level (default 500ms)
        --initial-warmup D        unmeasured run per model before anything (default 5s)
        --rounds N                A/B windows per model per level (default 3)
        --requests N              stop each window/level after N measured requests (default 0: none)
        --items-per-call N        images/texts/queries per request (default 1)
        --image-format F          encoded | raw (default encoded)
        --image-dir DIR           images to send (default: the eval set's images)
        --eval-dir DIR            labeled eval set (default models/eval of the checkout)
        --labels FILE             labels file (default DIR/labels.jsonl or DIR/labels.csv)
        --eval-limit N            at most N eval images (default 600; 0: all)
        --no-accuracy             skip zero-shot / cosine / recall / textness
        --textness-queries Q,Q    textness grid queries (default cat,fish,star)
        --textness-vector FILE    textness vector (default: models/textness/<space>.json, the
                                  teacher's embedding space)
        --textness S              textness scale of the search workload (default 0)
        --no-server-search        rank recall@10 and textness grids client-side even when the
                                  server has SearchService (default: index the eval images on the
                                  server for the run, search there, delete them afterwards)
        --max-outstanding N       open loop in-flight cap (default 256)
        --deadline D              per-call deadline (default 30s)
        --out DIR                 report folder (default target/loadtest)
        --seed N                  seed of arrivals and synthetic inputs (default 1)
      durations: 500ms, 3s, 2m or plain seconds.
      """;

  /** Parses arguments; throws IllegalArgumentException with a message naming the option. */
  static Options parse(String[] args) {
    Map<String, String> v = new LinkedHashMap<>();
    List<String> flags = List.of("--no-accuracy", "--no-server-search", "--help", "-h");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (flags.contains(a)) {
        v.put(a, "true");
        continue;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + a);
      }
      String value;
      int eq = a.indexOf('=');
      if (eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + ": needs a value");
        }
        value = args[++i];
      }
      v.put(a, value);
    }
    List<String> known = List.of("--target", "--ab", "--model", "--workload", "--concurrency",
        "--rate", "--arrivals", "--duration", "--warmup", "--initial-warmup", "--rounds",
        "--requests", "--items-per-call", "--image-format", "--image-dir", "--eval-dir",
        "--labels", "--eval-limit", "--no-accuracy", "--textness-queries", "--textness-vector",
        "--textness", "--no-server-search", "--max-outstanding", "--deadline", "--out", "--seed", "--help", "-h");
    for (String k : v.keySet()) {
      if (!known.contains(k)) {
        throw new IllegalArgumentException("unknown option " + k);
      }
    }
    if (v.containsKey("--help") || v.containsKey("-h")) {
      throw new HelpRequested();
    }
    boolean ab = v.containsKey("--ab");
    List<String> models = ab ? split(v.get("--ab")) : List.of(v.getOrDefault("--model", "teacher"));
    if (ab && models.size() != 2) {
      throw new IllegalArgumentException("--ab: want two models A,B, got " + v.get("--ab"));
    }
    List<LoadLevel> levels = new ArrayList<>();
    if (v.containsKey("--rate")) {
      for (String r : split(v.get("--rate"))) {
        levels.add(LoadLevel.open(number("--rate", r)));
      }
    } else {
      for (String c : split(v.getOrDefault("--concurrency", "1,4,8"))) {
        levels.add(LoadLevel.closed((int) number("--concurrency", c)));
      }
    }
    String workload = v.getOrDefault("--workload", "images").toLowerCase(Locale.ROOT);
    if (!List.of("images", "texts", "search").contains(workload)) {
      throw new IllegalArgumentException("--workload: images, texts or search, got " + workload);
    }
    return new Options(
        v.getOrDefault("--target", "localhost:50051"),
        models, ab, workload, levels,
        ArrivalSchedule.Kind.valueOf(v.getOrDefault("--arrivals", "poisson")
            .toUpperCase(Locale.ROOT)),
        duration("--duration", v.getOrDefault("--duration", "3s")),
        duration("--warmup", v.getOrDefault("--warmup", "500ms")),
        duration("--initial-warmup", v.getOrDefault("--initial-warmup", "5s")),
        (int) number("--rounds", v.getOrDefault("--rounds", "3")),
        (long) number("--requests", v.getOrDefault("--requests", "0")),
        (int) number("--items-per-call", v.getOrDefault("--items-per-call", "1")),
        ImageCorpus.Format.valueOf(v.getOrDefault("--image-format", "encoded")
            .toUpperCase(Locale.ROOT)),
        path(v.get("--image-dir")),
        v.containsKey("--eval-dir") ? Path.of(v.get("--eval-dir"))
            : repositoryRoot().resolve("models").resolve("eval"),
        path(v.get("--labels")),
        (int) number("--eval-limit", v.getOrDefault("--eval-limit", "600")),
        !v.containsKey("--no-accuracy"),
        split(v.getOrDefault("--textness-queries", "cat,fish,star")),
        path(v.get("--textness-vector")),
        number("--textness", v.getOrDefault("--textness", "0")),
        !v.containsKey("--no-server-search"),
        (int) number("--max-outstanding", v.getOrDefault("--max-outstanding", "256")),
        duration("--deadline", v.getOrDefault("--deadline", "30s")),
        Path.of(v.getOrDefault("--out", "target/loadtest")),
        (long) number("--seed", v.getOrDefault("--seed", "1")));
  }

  /**
   * The checkout the defaults refer to: the {@code clipserve.root} system property (the launcher
   * sets it), else the working directory.
   */
  static Path repositoryRoot() {
    return Path.of(System.getProperty("clipserve.root", "."));
  }

  /** Thrown for --help. */
  static final class HelpRequested extends RuntimeException {
    HelpRequested() {
      super("help", null, false, false);
    }
  }

  /** The options as a JSON-friendly map (for report.json). */
  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target);
    m.put("models", models);
    m.put("ab", ab);
    m.put("workload", workload);
    m.put("levels", levels.stream().map(LoadLevel::label).toList());
    m.put("arrivals", arrivals.name().toLowerCase(Locale.ROOT));
    m.put("duration_s", duration.toMillis() / 1e3);
    m.put("warmup_s", warmup.toMillis() / 1e3);
    m.put("initial_warmup_s", initialWarmup.toMillis() / 1e3);
    m.put("rounds", rounds);
    m.put("max_requests", maxRequests);
    m.put("items_per_call", itemsPerCall);
    m.put("image_format", imageFormat.name().toLowerCase(Locale.ROOT));
    m.put("image_dir", imageDir == null ? null : imageDir.toString());
    m.put("eval_dir", evalDir.toString());
    m.put("eval_limit", evalLimit);
    m.put("accuracy", accuracy);
    m.put("textness_queries", textnessQueries);
    m.put("textness_scale", textness);
    m.put("server_search", serverSearch);
    m.put("max_outstanding", maxOutstanding);
    m.put("deadline_s", deadline.toMillis() / 1e3);
    m.put("seed", seed);
    return m;
  }

  private static List<String> split(String s) {
    return Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
  }

  private static Path path(String s) {
    return s == null ? null : Path.of(s);
  }

  private static double number(String option, String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": not a number: " + s);
    }
  }

  /** Parses 500ms, 3s, 2m or plain seconds. */
  static Duration duration(String option, String s) {
    String t = s.strip().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1))
            * 1e3));
      }
      if (t.endsWith("m")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1))
            * 60e3));
      }
      return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1e3));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": not a duration: " + s);
    }
  }
}
