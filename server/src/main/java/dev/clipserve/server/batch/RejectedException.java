package dev.clipserve.server.batch;

/** A request was refused at admission because the model's queue is full (RESOURCE_EXHAUSTED). */
public final class RejectedException extends RuntimeException {

  private final int maxQueueSize;

  public RejectedException(String model, int requestedItems, int queuedItems, int maxQueueSize) {
    super("model " + model + ": queue full (" + queuedItems + " of max_queue_size="
        + maxQueueSize + " items waiting; request has " + requestedItems + ")");
    this.maxQueueSize = maxQueueSize;
  }

  /** The queue limit in items. */
  public int maxQueueSize() {
    return maxQueueSize;
  }
}
