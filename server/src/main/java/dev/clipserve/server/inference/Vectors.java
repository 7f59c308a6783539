package dev.clipserve.server.inference;

/** Small float-vector helpers. */
public final class Vectors {
  private Vectors() {}

  /**
   * Scales {@code v} in place to unit L2 norm (computed in double). A zero vector stays zero.
   *
   * @return {@code v}
   */
  public static float[] l2NormalizeInPlace(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum > 0) {
      double inv = 1.0 / Math.sqrt(sum);
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (v[i] * inv);
      }
    }
    return v;
  }
}
