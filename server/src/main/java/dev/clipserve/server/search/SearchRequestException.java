package dev.clipserve.server.search;

/**
 * A search-side request that cannot be served as asked. The gRPC layer maps {@link #kind()} to a
 * status code and uses {@link #getMessage()} (which starts with the field path) as its description.
 */
public final class SearchRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which gRPC status the problem maps to. */
  public enum Kind {
    /** INVALID_ARGUMENT: the request itself is wrong. */
    INVALID_ARGUMENT,
    /** NOT_FOUND: an unknown model or embedding space. */
    NOT_FOUND,
    /** FAILED_PRECONDITION: valid, but the server lacks what it needs (e.g. no textness vector). */
    FAILED_PRECONDITION
  }

  private final Kind kind;
  private final String field;

  public SearchRequestException(Kind kind, String field, String problem) {
    super(field + ": " + problem);
    this.kind = kind;
    this.field = field;
  }

  public static SearchRequestException invalid(String field, String problem) {
    return new SearchRequestException(Kind.INVALID_ARGUMENT, field, problem);
  }

  /**
   * INVALID_ARGUMENT from a lower layer's {@code "field: problem"} message; {@code defaultField} when
   * the message has no field prefix.
   */
  public static SearchRequestException invalidFrom(IllegalArgumentException e, String defaultField) {
    String msg = String.valueOf(e.getMessage());
    int colon = msg.indexOf(": ");
    if (colon > 0 && !msg.substring(0, colon).contains(" ")) {
      return invalid(msg.substring(0, colon), msg.substring(colon + 2));
    }
    return invalid(defaultField, msg);
  }

  public Kind kind() {
    return kind;
  }

  /** The request field path the problem is about, e.g. {@code items[3].id}. */
  public String field() {
    return field;
  }
}
