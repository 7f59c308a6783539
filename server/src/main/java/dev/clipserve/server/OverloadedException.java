package dev.clipserve.server;

/** The server refuses work it has no room for (RESOURCE_EXHAUSTED); the message gives the limit. */
public final class OverloadedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OverloadedException(String message) {
    super(message);
  }
}
