package dev.clipserve.server.search;

/** Small dense-vector helpers (pure functions). */
public final class VectorMath {
  private VectorMath() {}

  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  public static double norm(float[] a) {
    return Math.sqrt(dot(a, a));
  }

  public static float[] scaled(float[] a, float f) {
    float[] r = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] * f;
    }
    return r;
  }

  /** {@code a / |a|}; throws IllegalArgumentException for a zero vector. */
  public static float[] normalized(float[] a) {
    double n = norm(a);
    if (!(n > 0) || !Double.isFinite(n)) {
      throw new IllegalArgumentException("cannot normalize a zero or non-finite vector");
    }
    return scaled(a, (float) (1.0 / n));
  }

  /** {@code a + s*b}. */
  public static float[] plusScaled(float[] a, float s, float[] b) {
    float[] r = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] + s * b[i];
    }
    return r;
  }
}
