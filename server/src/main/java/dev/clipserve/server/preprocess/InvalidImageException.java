package dev.clipserve.server.preprocess;

/**
 * An image that cannot be preprocessed: undecodable, truncated, empty, too large, an unsupported
 * pixel format, or raw pixels whose size does not match their shape. The message describes the
 * problem without naming a request field (the gRPC layer prefixes it, e.g. {@code
 * images[3].encoded: }), so it is safe to return to the client.
 */
public final class InvalidImageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidImageException(String message) {
    super(message);
  }

  public InvalidImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
