package dev.clipserve.server.inference;

/** ONNX Runtime failed to run one batch; the session stays usable for other calls. */
public final class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
