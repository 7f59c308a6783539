package dev.clipserve.loadtest.eval;

import java.util.List;
import java.util.Map;

/**
 * Accuracy side of an A/B report.
 *
 * @param evalDir the labeled folder used
 * @param images images evaluated
 * @param classifiedImages images with a class label (the zero-shot denominator)
 * @param classes class names (prompts: {@code promptTemplates} with the class filled in)
 * @param promptTemplates zero-shot prompt templates, embeddings averaged per class
 * @param zeroShotTop1 by model label ("teacher", "student")
 * @param zeroShotTop1WithoutText the same on the classed images without text
 * @param zeroShotTop1WithText the same on the classed images that also carry text
 * @param meanCosine mean cosine of candidate vs baseline image embeddings (null with one model)
 * @param recallAt10 mean top-10 overlap of candidate vs baseline search (null with one model)
 * @param recallAt10Client the same computed client-side from fetched embeddings (equal to
 *     recallAt10 when the server has no SearchService)
 * @param queries the search queries used for recall@10
 * @param searchMethod how the rankings were computed
 * @param textness the textness grids (empty if no textness vector was found)
 * @param textnessVectorFile where the vector came from (null if none)
 * @param textnessBiasNorm L2 norm of the textness vector as loaded
 * @param notes anything the reader should know (fallbacks taken)
 */
public record AccuracyResult(
    String evalDir, int images, int classifiedImages, List<String> classes,
    List<String> promptTemplates, Map<String, Double> zeroShotTop1,
    Map<String, Double> zeroShotTop1WithoutText, Map<String, Double> zeroShotTop1WithText,
    Double meanCosine, Double recallAt10, Double recallAt10Client, List<String> queries,
    String searchMethod, List<TextnessResult> textness,
    String textnessVectorFile, double textnessBiasNorm, List<String> notes) {

  /**
   * One textness grid.
   *
   * @param query the text query
   * @param modelLabel which image model ranked ("teacher", "student")
   * @param rows a row per scale
   * @param topIds eval ids per row, parallel to rows
   * @param file the PNG, relative to the report folder
   */
  public record TextnessResult(String query, String modelLabel, List<TextnessGrid.Row> rows,
      List<List<String>> topIds, String file) {}
}
