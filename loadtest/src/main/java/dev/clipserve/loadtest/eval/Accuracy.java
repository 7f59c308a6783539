package dev.clipserve.loadtest.eval;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Accuracy measures of the A/B report; pure functions of embeddings and labels. */
public final class Accuracy {
  private Accuracy() {}

  /**
   * Zero-shot top-1: the fraction of images with a class whose nearest class embedding is their
   * class. Images without a class (null) are skipped; 0 if none has one.
   *
   * @param images one embedding per item
   * @param items labels, parallel to images
   * @param classes class names, parallel to classEmbeddings
   */
  public static double zeroShotTop1(float[][] images, List<EvalItem> items, List<String> classes,
      float[][] classEmbeddings) {
    int total = 0;
    int correct = 0;
    for (int i = 0; i < images.length; i++) {
      String truth = items.get(i).klass();
      if (truth == null) {
        continue;
      }
      total++;
      int best = Vectors.topK(images[i], classEmbeddings, 1).get(0);
      if (classes.get(best).equals(truth)) {
        correct++;
      }
    }
    return total == 0 ? 0 : (double) correct / total;
  }

  /** Mean cosine between parallel rows of two L2-normalized embedding sets. */
  public static double meanCosine(float[][] a, float[][] b) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException("need two non-empty sets of equal size");
    }
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += Vectors.dot(a[i], b[i]);
    }
    return s / a.length;
  }

  /**
   * Mean over queries of |top-k by {@code candidate} ∩ top-k by {@code reference}| / k: how much
   * of the reference model's search result the candidate reproduces.
   */
  public static double recallAtKOverlap(float[][] queries, float[][] reference,
      float[][] candidate, int k) {
    if (queries.length == 0) {
      return 0;
    }
    int kk = Math.min(k, reference.length);
    double sum = 0;
    for (float[] q : queries) {
      Set<Integer> ref = new HashSet<>(Vectors.topK(q, reference, kk));
      int hit = 0;
      for (int i : Vectors.topK(q, candidate, kk)) {
        if (ref.contains(i)) {
          hit++;
        }
      }
      sum += (double) hit / kk;
    }
    return sum / queries.length;
  }
}
