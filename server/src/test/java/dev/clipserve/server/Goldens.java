package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** Comparison helpers for golden embeddings. */
final class Goldens {
  /** The contract: server embeddings within this of PyTorch's (max abs difference). */
  static final float TOLERANCE = 1e-4f;

  private Goldens() {}

  /** Row {@code k} of a row-major {@code [K, dim]} array. */
  static float[] row(float[] all, int dim, int k) {
    float[] r = new float[dim];
    System.arraycopy(all, k * dim, r, 0, dim);
    return r;
  }

  /** Max abs difference between {@code actual} rows and the matching rows of {@code expected}. */
  static float maxAbsDiff(List<float[]> actual, float[] expected, int dim, int[] rows) {
    float max = 0;
    for (int i = 0; i < rows.length; i++) {
      float[] a = actual.get(i);
      assertEquals(dim, a.length);
      for (int j = 0; j < dim; j++) {
        max = Math.max(max, Math.abs(a[j] - expected[rows[i] * dim + j]));
      }
    }
    return max;
  }

  static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }
}
