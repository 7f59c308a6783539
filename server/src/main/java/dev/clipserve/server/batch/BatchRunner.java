package dev.clipserve.server.batch;

import java.util.List;

/**
 * Runs the model on one batch. The batcher calls it from an executor thread with 1 to
 * {@code maxBatchSize} items; a runner shared by several executors must allow concurrent calls.
 *
 * @param <I> one preprocessed item (e.g. a normalized CHW float array, or token ids)
 * @param <O> one result (e.g. an embedding)
 */
@FunctionalInterface
public interface BatchRunner<I, O> {

  /**
   * Runs {@code items} as one batch, in order.
   *
   * @return exactly {@code items.size()} results, result {@code i} for item {@code i}
   * @throws Exception any failure; every call with an item in this batch fails with {@link
   *     BatchFailedException} (the other batches are unaffected)
   */
  List<O> run(List<I> items) throws Exception;
}
