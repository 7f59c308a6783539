package dev.clipserve.server.index;

import java.util.Map;

/**
 * One search result.
 *
 * @param id the item's id
 * @param score the ranking score: the dot product (cosine, for unit vectors) of the effective query
 *     and the effective image vector; higher is better
 * @param metadata the item's stored metadata
 * @param model the image model whose embeddings answered
 */
public record SearchHit(String id, float score, Map<String, String> metadata, String model) {
  public SearchHit {
    metadata = Map.copyOf(metadata);
  }
}
