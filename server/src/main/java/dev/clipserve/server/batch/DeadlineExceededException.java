package dev.clipserve.server.batch;

/** A call's deadline passed before all its items were answered (DEADLINE_EXCEEDED). */
public final class DeadlineExceededException extends RuntimeException {
  public DeadlineExceededException(String model) {
    super("model " + model + ": deadline exceeded while queued or running");
  }
}
