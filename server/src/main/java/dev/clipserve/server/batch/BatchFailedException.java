package dev.clipserve.server.batch;

/** The runner failed on a batch holding one of this call's items (INTERNAL for that call). */
public final class BatchFailedException extends RuntimeException {
  public BatchFailedException(String model, Throwable cause) {
    super("model " + model + ": inference failed: " + cause, cause);
  }
}
