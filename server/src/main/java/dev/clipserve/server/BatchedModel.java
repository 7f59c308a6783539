package dev.clipserve.server;

import dev.clipserve.server.batch.BatchFailedException;
import dev.clipserve.server.batch.BatchPolicy;
import dev.clipserve.server.batch.BatchRunner;
import dev.clipserve.server.batch.BatcherStats;
import dev.clipserve.server.batch.DynamicBatcher;
import dev.clipserve.server.batch.HdrBatcherMetrics;
import dev.clipserve.server.batch.NanoClock;
import dev.clipserve.server.inference.InferenceException;
import dev.clipserve.server.inference.InferenceRunner;
import dev.clipserve.server.inference.ModelInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One model behind its {@link DynamicBatcher}: requests are split into single items, merged with
 * other callers' items into batches, and run on the model's session runner(s).
 *
 * <p>Thread-safe. Owns the batcher: {@link #close} drains it (the sessions are closed by the
 * repository afterwards).
 */
public final class BatchedModel implements InferenceRunner, AutoCloseable {

  private final DynamicBatcher<ModelInput, float[]> batcher;
  private final HdrBatcherMetrics metrics;
  private final NanoClock clock;
  private final boolean sessionPerExecutor;
  private final InferenceRunner sessionRunner;

  /**
   * @param sessionRunners one per executor (the same runner repeated for a shared session)
   */
  public BatchedModel(
      String model, BatchPolicy policy, List<InferenceRunner> sessionRunners,
      boolean sessionPerExecutor, NanoClock clock) {
    this.metrics = new HdrBatcherMetrics();
    this.clock = clock;
    this.sessionPerExecutor = sessionPerExecutor;
    this.sessionRunner = sessionRunners.get(0);
    List<BatchRunner<ModelInput, float[]>> runners = new ArrayList<>();
    for (InferenceRunner r : sessionRunners) {
      runners.add(items -> Arrays.asList(r.run(concat(items))));
    }
    this.batcher = DynamicBatcher.start(model, policy, runners, clock, metrics);
  }

  /** The batching policy in force. */
  public BatchPolicy policy() {
    return batcher.policy();
  }

  /** The first executor's session runner, bypassing the queue (benchmarks measure raw ORT on it). */
  public InferenceRunner sessionRunner() {
    return sessionRunner;
  }

  /** Batches that may run at once. */
  public int executors() {
    return batcher.executors();
  }

  /** Whether each executor has its own session. */
  public boolean sessionPerExecutor() {
    return sessionPerExecutor;
  }

  /** Items waiting now. */
  public int queuedItems() {
    return batcher.queuedItems();
  }

  /** Cumulative statistics since start. */
  public BatcherStats stats() {
    return metrics.snapshot();
  }

  /** The clock deadlines are expressed on. */
  public NanoClock clock() {
    return clock;
  }

  /**
   * Queues single items (each {@code count() == 1}) as one call.
   *
   * @param deadlineNanos on {@link #clock()}, or {@link DynamicBatcher#NO_DEADLINE}
   * @return one embedding per item, in order; fails as {@link DynamicBatcher#submit} documents;
   *     cancel it to free the queued items
   */
  public CompletableFuture<List<float[]>> submit(List<ModelInput> items, long deadlineNanos) {
    return submit(items, deadlineNanos, 0);
  }

  /**
   * {@link #submit(List, long)} at a priority level: higher levels are sent first, FIFO within a
   * level ({@link DynamicBatcher#submit(List, long, int)}).
   */
  public CompletableFuture<List<float[]>> submit(List<ModelInput> items, long deadlineNanos, int priority) {
    return batcher.submit(items, deadlineNanos, priority);
  }

  /**
   * Announces {@code items} items being preprocessed for this model ({@link DynamicBatcher#expect});
   * each announcement ends with {@link #submitExpected} or {@link #unexpect}.
   */
  public void expect(int items) {
    batcher.expect(items);
  }

  /** Withdraws announced items that will not be submitted. */
  public void unexpect(int items) {
    batcher.unexpect(items);
  }

  /** {@link #submit(List, long, int)} of items announced by {@link #expect}. */
  public CompletableFuture<List<float[]>> submitExpected(
      List<ModelInput> items, long deadlineNanos, int priority) {
    return batcher.submit(items, deadlineNanos, priority, true);
  }

  /** Synchronous use (no deadline): splits the batch, queues its items, waits for all. */
  @Override
  public float[][] run(ModelInput input) {
    try {
      return submit(split(input), DynamicBatcher.NO_DEADLINE).get().toArray(new float[0][]);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof BatchFailedException f && f.getCause() instanceof InferenceException ie) {
        throw ie;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new InferenceException("inference failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for the batch");
    }
  }

  @Override
  public void close() {
    batcher.close();
  }

  /** Splits a batch into single-item inputs (copies). */
  public static List<ModelInput> split(ModelInput input) {
    int n = input.count();
    List<ModelInput> out = new ArrayList<>(n);
    if (input instanceof ModelInput.ImageBatch b) {
      int per = b.pixels().length / n;
      for (int i = 0; i < n; i++) {
        out.add(new ModelInput.ImageBatch(Arrays.copyOfRange(b.pixels(), i * per, (i + 1) * per), 1));
      }
    } else if (input instanceof ModelInput.TextBatch t) {
      int per = t.inputIds().length / n;
      for (int i = 0; i < n; i++) {
        long[] mask = t.attentionMask() == null ? null : Arrays.copyOfRange(t.attentionMask(), i * per, (i + 1) * per);
        out.add(new ModelInput.TextBatch(Arrays.copyOfRange(t.inputIds(), i * per, (i + 1) * per), mask, 1));
      }
    }
    return out;
  }

  /** Concatenates single- or multi-item inputs of one modality into one batch. */
  public static ModelInput concat(List<ModelInput> items) {
    if (items.size() == 1) {
      return items.get(0);
    }
    int count = 0;
    int length = 0;
    for (ModelInput in : items) {
      count += in.count();
      length += in instanceof ModelInput.ImageBatch b ? b.pixels().length : ((ModelInput.TextBatch) in).inputIds().length;
    }
    if (items.get(0) instanceof ModelInput.ImageBatch) {
      float[] pixels = new float[length];
      int at = 0;
      for (ModelInput in : items) {
        float[] p = ((ModelInput.ImageBatch) in).pixels();
        System.arraycopy(p, 0, pixels, at, p.length);
        at += p.length;
      }
      return new ModelInput.ImageBatch(pixels, count);
    }
    long[] ids = new long[length];
    boolean masked = ((ModelInput.TextBatch) items.get(0)).attentionMask() != null;
    long[] mask = masked ? new long[length] : null;
    int at = 0;
    for (ModelInput in : items) {
      ModelInput.TextBatch t = (ModelInput.TextBatch) in;
      System.arraycopy(t.inputIds(), 0, ids, at, t.inputIds().length);
      if (masked) {
        System.arraycopy(t.attentionMask(), 0, mask, at, t.inputIds().length);
      }
      at += t.inputIds().length;
    }
    return new ModelInput.TextBatch(ids, mask, count);
  }
}
