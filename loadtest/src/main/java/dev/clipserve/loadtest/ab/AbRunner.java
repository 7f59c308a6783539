package dev.clipserve.loadtest.ab;

import dev.clipserve.loadtest.run.LatencySummary;
import dev.clipserve.loadtest.run.LoadDriver;
import dev.clipserve.loadtest.run.LoadLevel;
import dev.clipserve.loadtest.run.RequestSender;
import dev.clipserve.loadtest.run.RunResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Runs the same workload against one or two models, alternating in short windows so that machine
 * noise (other processes, thermal, GC) hits both alike: for each load level, {@code rounds} rounds
 * of one window per model, the order flipping every round (A B, B A, A B, ...). Each window has
 * its own short warm-up, so the pipeline refills after the switch.
 *
 * <p>Blocks the calling thread; every window stops by itself (see {@link LoadDriver}).
 */
public final class AbRunner {
  /**
   * @param levels load levels, run in order
   * @param rounds windows per model per level (>= 1)
   * @param window measured length of each window
   * @param windowWarmup unmeasured lead-in of each window
   * @param initialWarmup unmeasured run per model at the highest level before anything is
   *     measured (JIT, ONNX Runtime arenas, connection set-up)
   */
  public record Config(
      List<LoadLevel> levels, int rounds, Duration window, Duration windowWarmup,
      Duration initialWarmup) {
    public Config {
      levels = List.copyOf(levels);
      if (levels.isEmpty() || rounds < 1) {
        throw new IllegalArgumentException("need at least one level and one round");
      }
    }
  }

  private final LoadDriver driver;
  private final Consumer<String> progress;

  /** @param progress receives one line per window */
  public AbRunner(LoadDriver driver, Consumer<String> progress) {
    this.driver = driver;
    this.progress = progress;
  }

  /**
   * Runs the comparison.
   *
   * @param models one or two model names, baseline first
   * @param senders makes the workload's sender for a model
   */
  public List<LevelComparison> run(Config config, List<String> models,
      Function<String, RequestSender> senders) throws InterruptedException {
    if (models.isEmpty() || models.size() > 2) {
      throw new IllegalArgumentException("one or two models, got " + models);
    }
    Map<String, RequestSender> byModel = new LinkedHashMap<>();
    models.forEach(m -> byModel.put(m, senders.apply(m)));
    long t0 = driver.clock().nanoTime();
    if (!config.initialWarmup().isZero()) {
      LoadLevel top = config.levels().get(config.levels().size() - 1);
      for (String m : models) {
        RunResult r = driver.run(top, Duration.ZERO, config.initialWarmup(), byModel.get(m));
        progress.accept(String.format("warm-up %-8s %-7s %8.1f items/s (not measured)", m,
            top.label(), r.itemsPerSecond()));
      }
    }
    List<LevelComparison> out = new ArrayList<>();
    int windowsTotal = config.levels().size() * config.rounds() * models.size();
    int windowsDone = 0;
    for (LoadLevel level : config.levels()) {
      Map<String, List<RunResult>> windows = new HashMap<>();
      for (int round = 0; round < config.rounds(); round++) {
        List<String> order = new ArrayList<>(models);
        if (round % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (String m : order) {
          RunResult r = driver.run(level, config.windowWarmup(), config.window(), byModel.get(m),
              progress);
          windows.computeIfAbsent(m, k -> new ArrayList<>()).add(r);
          windowsDone++;
          LatencySummary s = r.latency();
          progress.accept(String.format(
              "[%3d/%3d %5.1fs] %-7s round %d %-8s %8.1f items/s  p50 %7.2f ms  p99 %7.2f ms"
                  + "  errors %d",
              windowsDone, windowsTotal, (driver.clock().nanoTime() - t0) / 1e9, level.label(),
              round + 1, m, r.itemsPerSecond(), s.p50Ms(), s.p99Ms(), r.errors()));
        }
      }
      List<ModelLevelResult> results = new ArrayList<>();
      for (String m : models) {
        results.add(merge(m, windows.get(m)));
      }
      Optional<Spread> speedup = Optional.empty();
      if (models.size() == 2) {
        List<Double> ratios = new ArrayList<>();
        List<RunResult> a = windows.get(models.get(0));
        List<RunResult> b = windows.get(models.get(1));
        for (int i = 0; i < a.size(); i++) {
          double base = a.get(i).itemsPerSecond();
          if (base > 0) {
            ratios.add(b.get(i).itemsPerSecond() / base);
          }
        }
        speedup = Optional.of(Spread.of(ratios));
      }
      out.add(new LevelComparison(level, results, speedup));
    }
    return out;
  }

  static ModelLevelResult merge(String model, List<RunResult> windows) {
    Histogram all = new Histogram(3);
    long items = 0;
    long nanos = 0;
    long requests = 0;
    long errors = 0;
    Map<String, Long> codes = new TreeMap<>();
    List<Double> perWindow = new ArrayList<>();
    for (RunResult r : windows) {
      all.add(r.latencyMicros());
      items += r.items();
      nanos += r.measuredNanos();
      requests += r.requests();
      errors += r.errors();
      r.errorsByCode().forEach((k, v) -> codes.merge(k, v, Long::sum));
      perWindow.add(r.itemsPerSecond());
    }
    double ips = nanos > 0 ? items * 1e9 / nanos : 0;
    return new ModelLevelResult(model, ips, LatencySummary.ofMicros(all), all, perWindow,
        requests, errors, codes);
  }
}
