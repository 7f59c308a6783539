package dev.clipserve.loadtest.report;

import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.loadtest.ab.LevelComparison;
import dev.clipserve.loadtest.eval.AccuracyResult;
import java.util.List;
import java.util.Map;

/**
 * Everything a report shows. Labels are "teacher" (baseline, first) and "student" (candidate,
 * second) whatever the models' request names are.
 *
 * @param generatedAt ISO-8601 time
 * @param gitCommit commit of the load tester's checkout ("unknown" if not known)
 * @param machine description of the machine the test ran on
 * @param target host:port
 * @param serverModels ModelService.ListModels
 * @param config the options the run used
 * @param workload e.g. "EncodeImages, 4 encoded images per call"
 * @param itemUnit what throughput counts: "images", "texts", "queries"
 * @param labels "teacher", "student" (one or two)
 * @param modelNames repository names of the models (resolved with GetModel), parallel to labels
 * @param levels the load sweep
 * @param accuracy accuracy results, or null if skipped
 * @param wallSeconds how long the whole run took
 * @param trainingMetricsJson the repository's metrics.json as training measured it (for
 *     comparison with the served models' numbers), or null
 */
public record ReportData(
    String generatedAt, String gitCommit, Map<String, Object> machine, String target,
    List<ModelInfo> serverModels, Map<String, Object> config, String workload, String itemUnit,
    List<String> labels, List<String> modelNames, List<LevelComparison> levels,
    AccuracyResult accuracy, double wallSeconds, String trainingMetricsJson) {

  public ReportData {
    labels = List.copyOf(labels);
    modelNames = List.copyOf(modelNames);
    levels = List.copyOf(levels);
    serverModels = List.copyOf(serverModels);
  }

  /** The level the A/B headline numbers come from: the last (highest) one. */
  public LevelComparison headline() {
    return levels.get(levels.size() - 1);
  }
}
