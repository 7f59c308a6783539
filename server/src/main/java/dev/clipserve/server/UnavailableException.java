package dev.clipserve.server;

/** The server cannot answer now (models still loading, shutting down). Becomes UNAVAILABLE. */
public final class UnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message) {
    super(message);
  }
}
