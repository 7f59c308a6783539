package dev.clipserve.server.index;

import java.util.Map;

/**
 * A snapshot of an index's size.
 *
 * @param items live items (distinct ids)
 * @param itemsPerModel model name -> live items with an embedding of that model
 * @param bytesOnDisk sum of the sizes of the index folder's files
 * @param segments Lucene segments in the current reader
 */
public record IndexStats(long items, Map<String, Long> itemsPerModel, long bytesOnDisk, int segments) {
  public IndexStats {
    itemsPerModel = Map.copyOf(itemsPerModel);
  }
}
