package dev.clipserve.loadtest.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Small dense-vector helpers for evaluation (exact, brute force; eval sets are small). */
public final class Vectors {
  private Vectors() {}

  /** The dot product; {@code a} and {@code b} have the same length. */
  public static double dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("dimension " + a.length + " vs " + b.length);
    }
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /** A copy scaled to unit L2 norm (the zero vector stays zero). */
  public static float[] normalize(float[] v) {
    double n = Math.sqrt(dot(v, v));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = n == 0 ? 0 : (float) (v[i] / n);
    }
    return out;
  }

  /** {@code normalize(a + scale * b)}. */
  public static float[] shifted(float[] a, float[] b, double scale) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (float) (a[i] + scale * b[i]);
    }
    return normalize(out);
  }

  /** The normalized mean of some vectors (e.g. prompt embeddings of one class). */
  public static float[] meanNormalized(List<float[]> vs) {
    float[] sum = new float[vs.get(0).length];
    for (float[] v : vs) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += v[i];
      }
    }
    return normalize(sum);
  }

  /**
   * Indices of the {@code k} rows of {@code corpus} with the highest dot product with
   * {@code query}, best first; ties go to the lower index.
   */
  public static List<Integer> topK(float[] query, float[][] corpus, int k) {
    Integer[] idx = new Integer[corpus.length];
    double[] score = new double[corpus.length];
    for (int i = 0; i < corpus.length; i++) {
      idx[i] = i;
      score[i] = dot(query, corpus[i]);
    }
    Arrays.sort(idx, Comparator.<Integer>comparingDouble(i -> -score[i]).thenComparing(i -> i));
    return new ArrayList<>(Arrays.asList(idx).subList(0, Math.min(k, idx.length)));
  }
}
