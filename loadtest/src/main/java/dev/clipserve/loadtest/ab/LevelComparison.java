package dev.clipserve.loadtest.ab;

import dev.clipserve.loadtest.run.LoadLevel;
import java.util.List;
import java.util.Optional;

/**
 * Every model at one load level.
 *
 * @param level the load level
 * @param results one per model, in the order the models were given (baseline first)
 * @param speedup second model's throughput over the first's, per round (same load level, windows
 *     run back to back); empty with a single model
 */
public record LevelComparison(
    LoadLevel level, List<ModelLevelResult> results, Optional<Spread> speedup) {
  public LevelComparison {
    results = List.copyOf(results);
  }
}
