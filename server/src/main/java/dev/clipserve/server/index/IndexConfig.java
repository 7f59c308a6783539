package dev.clipserve.server.index;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of one {@link VectorIndex}.
 *
 * @param directory folder of the Lucene index (created if missing); default {@code data/index/<space>}
 * @param exactBelow live item count below which searches scan every vector exactly instead of
 *     walking the HNSW graph (default 10,000; 0 = always HNSW; {@code Integer.MAX_VALUE} = always
 *     exact)
 * @param hnswMaxConn HNSW maximum connections per node ("M", Lucene default 16)
 * @param hnswBeamWidth HNSW candidate list size while building ("efConstruction", Lucene default 100)
 * @param efSearch candidates the HNSW search keeps per segment ("efSearch"); at least {@code k};
 *     default 200 (recall@10 ~0.94-0.96 at 100k items in the search bench)
 * @param ramBufferMb indexing buffer before a segment is flushed, in MiB (default 256)
 * @param mergeWorkers threads that build one merged HNSW graph (default 1 = the merging thread only)
 */
public record IndexConfig(
    Path directory, int exactBelow, int hnswMaxConn, int hnswBeamWidth, int efSearch, double ramBufferMb,
    int mergeWorkers) {

  public static final int DEFAULT_EXACT_BELOW = 10_000;
  public static final int DEFAULT_MAX_CONN = 16;
  public static final int DEFAULT_BEAM_WIDTH = 100;
  public static final int DEFAULT_EF_SEARCH = 200;
  public static final double DEFAULT_RAM_BUFFER_MB = 256;

  public IndexConfig {
    Objects.requireNonNull(directory, "directory");
    if (exactBelow < 0) {
      throw new IllegalArgumentException("exactBelow must be >= 0, got " + exactBelow);
    }
    if (hnswMaxConn < 2 || hnswMaxConn > 512) {
      throw new IllegalArgumentException("hnswMaxConn must be in [2, 512], got " + hnswMaxConn);
    }
    if (hnswBeamWidth < 1 || hnswBeamWidth > 3200) {
      throw new IllegalArgumentException("hnswBeamWidth must be in [1, 3200], got " + hnswBeamWidth);
    }
    if (efSearch < 1) {
      throw new IllegalArgumentException("efSearch must be >= 1, got " + efSearch);
    }
    if (mergeWorkers < 1) {
      throw new IllegalArgumentException("mergeWorkers must be >= 1, got " + mergeWorkers);
    }
    if (!(ramBufferMb > 0)) {
      throw new IllegalArgumentException("ramBufferMb must be > 0, got " + ramBufferMb);
    }
  }

  /** Defaults for everything but the folder. */
  public static IndexConfig defaults(Path directory) {
    return new IndexConfig(
        directory, DEFAULT_EXACT_BELOW, DEFAULT_MAX_CONN, DEFAULT_BEAM_WIDTH, DEFAULT_EF_SEARCH,
        DEFAULT_RAM_BUFFER_MB, 1);
  }

  public IndexConfig withExactBelow(int value) {
    return new IndexConfig(directory, value, hnswMaxConn, hnswBeamWidth, efSearch, ramBufferMb, mergeWorkers);
  }

  public IndexConfig withHnsw(int maxConn, int beamWidth, int ef) {
    return new IndexConfig(directory, exactBelow, maxConn, beamWidth, ef, ramBufferMb, mergeWorkers);
  }

  public IndexConfig withRamBufferMb(double value) {
    return new IndexConfig(directory, exactBelow, hnswMaxConn, hnswBeamWidth, efSearch, value, mergeWorkers);
  }

  public IndexConfig withMergeWorkers(int value) {
    return new IndexConfig(directory, exactBelow, hnswMaxConn, hnswBeamWidth, efSearch, ramBufferMb, value);
  }
}
