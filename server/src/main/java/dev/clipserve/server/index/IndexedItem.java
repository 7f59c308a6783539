package dev.clipserve.server.index;

import java.util.Map;
import java.util.Objects;

/**
 * One image as the index stores it: its id, one unit-length embedding per image model of the
 * embedding space, and string metadata.
 *
 * @param id non-empty, at most {@link VectorIndex#MAX_ID_LENGTH} UTF-16 chars; upserts replace by id
 * @param vectors model name -> L2-normalized embedding; must name every model of the index
 * @param metadata free string map (keys non-empty); may be empty
 */
public record IndexedItem(String id, Map<String, float[]> vectors, Map<String, String> metadata) {
  public IndexedItem {
    Objects.requireNonNull(id, "id");
    vectors = Map.copyOf(vectors);
    metadata = Map.copyOf(metadata);
  }
}
