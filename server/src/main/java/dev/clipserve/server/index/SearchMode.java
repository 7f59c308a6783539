package dev.clipserve.server.index;

/** How a {@link VectorIndex} search visits the vectors. */
public enum SearchMode {
  /** Exact scan below {@link IndexConfig#exactBelow()} live items, HNSW at or above. */
  AUTO,
  /** Score every live item (the ground truth; cost linear in the index size). */
  EXACT,
  /** Walk the HNSW graph (approximate), whatever the size. */
  HNSW
}
