package dev.clipserve.server.index;

import java.util.Random;

/** Random unit vectors for tests. */
final class TestVectors {
  private TestVectors() {}

  static float[] unit(Random rnd, int dim) {
    float[] v = new float[dim];
    double sq = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rnd.nextGaussian();
      sq += v[i] * v[i];
    }
    float inv = (float) (1 / Math.sqrt(sq));
    for (int i = 0; i < dim; i++) {
      v[i] *= inv;
    }
    return v;
  }
}
