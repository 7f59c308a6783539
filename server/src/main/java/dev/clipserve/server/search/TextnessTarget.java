package dev.clipserve.server.search;

/** Where the textness bias is applied. */
public enum TextnessTarget {
  /** {@code q' = normalize(t + s*b)}, rank by {@code q'.v}: exact under ANN (the default). */
  QUERY,
  /** {@code v' = normalize(v + s*b)} per candidate, rank by {@code t.v'} (for comparison). */
  IMAGES
}
