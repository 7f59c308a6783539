package dev.clipserve.server.search;

import java.util.Objects;

/**
 * The textness bias vector {@code b} of one embedding space: the positive-class ("has text") weight
 * row of a linear probe {@code Linear(dim, 2)} trained on image embeddings, scaled to unit L2 norm so
 * that a textness scale {@code s} means the same thing for every trained version ({@code t + s*b}
 * moves a unit query by {@code |s|}).
 *
 * <p>Stored as JSON ({@code models/textness/<space>.json} for the shipped one, {@code
 * <data-dir>/textness/<space>.v<version>.json} for trained ones), field names in snake_case:
 * {@code {"embedding_space", "version", "vector", "norm", "raw_norm", "trained_on", ...}}.
 *
 * @param embeddingSpace the space the vector lives in (e.g. {@code demo-clip})
 * @param version 1, 2, ...: each training stores the next version; the highest is used
 * @param vector unit-length, the space's dimension
 * @param norm L2 norm of {@code vector} (1.0)
 * @param rawNorm L2 norm of the weight row before scaling (informational)
 * @param trainedOn which image model's embeddings trained it (e.g. {@code teacher-image})
 * @param trainAccuracy probe accuracy on its training split, or null if unknown
 * @param valAccuracy probe accuracy on its validation split, or null if unknown
 */
public record TextnessVector(
    String embeddingSpace, int version, float[] vector, double norm, double rawNorm, String trainedOn,
    Double trainAccuracy, Double valAccuracy) {

  public TextnessVector {
    Objects.requireNonNull(embeddingSpace, "embedding_space");
    Objects.requireNonNull(vector, "vector");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, got " + version);
    }
    if (vector.length == 0) {
      throw new IllegalArgumentException("vector is empty");
    }
    double sq = 0;
    for (float x : vector) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("vector contains NaN or infinity");
      }
      sq += (double) x * x;
    }
    if (sq == 0) {
      throw new IllegalArgumentException("vector is all zeros");
    }
    vector = vector.clone();
  }

  /** Unit-normalizes {@code raw} (a weight row) into version {@code version}. */
  public static TextnessVector fromRaw(String space, int version, float[] raw, String trainedOn,
      Double trainAccuracy, Double valAccuracy) {
    double n = VectorMath.norm(raw);
    return new TextnessVector(space, version, VectorMath.scaled(raw, (float) (1.0 / n)), 1.0, n, trainedOn,
        trainAccuracy, valAccuracy);
  }

  /** The vector scaled to unit length (a copy; shipped files may carry a raw, unnormalized vector). */
  public float[] unitVector() {
    return VectorMath.normalized(vector);
  }

  public int dimension() {
    return vector.length;
  }

  @Override
  public float[] vector() {
    return vector.clone();
  }
}
