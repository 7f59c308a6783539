package dev.clipserve.server;

/** No model answers to the requested name. Becomes NOT_FOUND. */
public final class ModelNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelNotFoundException(String message) {
    super(message);
  }
}
