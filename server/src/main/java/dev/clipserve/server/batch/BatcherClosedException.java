package dev.clipserve.server.batch;

/** The batcher is shutting down and takes no new work (UNAVAILABLE). */
public final class BatcherClosedException extends RuntimeException {
  public BatcherClosedException(String model) {
    super("model " + model + " is shutting down");
  }
}
