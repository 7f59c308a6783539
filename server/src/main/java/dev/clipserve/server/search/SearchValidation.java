package dev.clipserve.server.search;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks for the bad-input rules of search requests. Each throws {@link SearchRequestException}
 * ({@code INVALID_ARGUMENT}) whose message starts with the field path it was given.
 */
public final class SearchValidation {
  private SearchValidation() {}

  /** A finite number (not NaN, not infinite). */
  public static void requireFinite(String field, double value) {
    if (!Double.isFinite(value)) {
      throw SearchRequestException.invalid(field, "must be a finite number, got " + value);
    }
  }

  /** 1 <= topK <= max. */
  public static void requireTopK(String field, int topK, int max) {
    if (topK <= 0 || topK > max) {
      throw SearchRequestException.invalid(field, "must be in [1, " + max + "], got " + topK);
    }
  }

  /** A vector of {@code dim} finite entries, not all zero. */
  public static void requireVector(String field, float[] v, int dim) {
    if (v == null || v.length == 0) {
      throw SearchRequestException.invalid(field, "is empty");
    }
    if (v.length != dim) {
      throw SearchRequestException.invalid(field, "dimension " + v.length + ", expected " + dim);
    }
    boolean nonZero = false;
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw SearchRequestException.invalid(field, "values[" + i + "] is NaN or infinite");
      }
      nonZero |= v[i] != 0f;
    }
    if (!nonZero) {
      throw SearchRequestException.invalid(field, "is all zeros");
    }
  }

  /** Non-blank text. */
  public static void requireText(String field, String text) {
    if (text == null || text.isBlank()) {
      throw SearchRequestException.invalid(field, "is empty");
    }
  }

  /** No id twice; ids non-empty and at most {@code maxLength} chars. Field names {@code field[i]}. */
  public static void requireUniqueIds(String field, List<String> ids, int maxLength) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      if (id == null || id.isEmpty()) {
        throw SearchRequestException.invalid(field + "[" + i + "]", "id is empty");
      }
      if (id.length() > maxLength) {
        throw SearchRequestException.invalid(field + "[" + i + "]", "id longer than " + maxLength + " chars");
      }
      if (!seen.add(id)) {
        throw SearchRequestException.invalid(field + "[" + i + "]", "duplicate id '" + id + "'");
      }
    }
  }

  /** Every key of {@code requested} is among {@code known}. */
  public static void requireKnownFields(String field, Collection<String> requested, Set<String> known) {
    for (String key : requested) {
      if (!known.contains(key)) {
        throw SearchRequestException.invalid(field + "[" + key + "]",
            "unknown metadata field (known: " + known + ")");
      }
    }
  }

  /** 1 <= count <= max. */
  public static void requireCount(String field, int count, int max) {
    if (count == 0) {
      throw SearchRequestException.invalid(field, "is empty");
    }
    if (count > max) {
      throw SearchRequestException.invalid(field, count + " items, at most " + max + " allowed");
    }
  }
}
