package dev.clipserve.server.index;

/**
 * Scores one stored image vector for a search; higher is better. Implementations must be pure
 * (no side effects) and safe to call from the searching thread only.
 */
@FunctionalInterface
public interface VectorScorer {
  float score(float[] imageVector);
}
