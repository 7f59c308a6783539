package dev.clipserve.server;

/**
 * A request the server will not run: the message names the field and item index, e.g. {@code
 * images[3].encoded: not a decodable image}. Becomes INVALID_ARGUMENT.
 */
public final class InvalidRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param field the request field, with its index where there is one ({@code texts[2]})
   * @param problem what is wrong, for the client
   */
  public InvalidRequestException(String field, String problem) {
    super(field + ": " + problem);
  }
}
