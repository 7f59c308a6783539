package dev.clipserve.server;

/**
 * A model could not be loaded: bad manifest, missing file, or a manifest that does not match the
 * ONNX graph. The message names the model and the field; start-up stops.
 */
public final class ModelLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code model 'name': field: problem}. */
  static ModelLoadException field(String model, String field, String problem) {
    return new ModelLoadException("model '" + model + "': " + field + ": " + problem);
  }
}
