package dev.clipserve.server;

import dev.clipserve.server.batch.DynamicBatcher;
import dev.clipserve.server.batch.NanoClock;
import dev.clipserve.server.inference.InferenceRunner;
import dev.clipserve.server.inference.ModelInput;
import dev.clipserve.server.preprocess.ImagePreprocessor;
import dev.clipserve.server.preprocess.InvalidImageException;
import dev.clipserve.server.tokenize.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Encodes the items of one request with one model: resolve the model and check the request (on
 * the caller's thread), validate and preprocess every item on a bounded worker pool (nothing is
 * queued unless all items are valid), queue the items on the model's batcher (or run them
 * directly when the model has none), and return the vectors in request order. Transport-free: the
 * gRPC adapter maps its exceptions to status codes.
 *
 * <p>Thread-safe. Owns the preprocessing pool: {@link #close} stops it.
 */
public final class EncodingService implements AutoCloseable {
  private final Supplier<ModelRepository> repository;
  private final ServerConfig limits;
  private final ThreadPoolExecutor preprocessPool;
  private final NanoClock clock = NanoClock.SYSTEM;

  /**
   * @param repository the loaded models; may throw {@link UnavailableException} while loading
   * @param limits request limits (items, pixels, bytes, characters) and the preprocessing pool
   *     size ({@link BatchingConfig#preprocessThreads()}, {@link BatchingConfig#preprocessQueue()})
   */
  public EncodingService(Supplier<ModelRepository> repository, ServerConfig limits) {
    this.repository = repository;
    this.limits = limits;
    int threads = limits.batching().preprocessThreads() > 0
        ? limits.batching().preprocessThreads() : Runtime.getRuntime().availableProcessors();
    AtomicInteger n = new AtomicInteger();
    this.preprocessPool =
        new ThreadPoolExecutor(
            threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(limits.batching().preprocessQueue()),
            r -> {
              Thread t = new Thread(r, "clipserve-preprocess-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Lowest request priority accepted ({@code priority} field of the encode requests). */
  public static final int MIN_PRIORITY = -100;

  /** Highest request priority accepted. */
  public static final int MAX_PRIORITY = 100;

  /** The clock deadlines are given on ({@link System#nanoTime()}). */
  public NanoClock clock() {
    return clock;
  }

  /** Synchronous {@link #encodeImagesAsync} without a deadline. */
  public Embeddings encodeImages(String model, List<ImageInput> images) {
    return await(encodeImagesAsync(model, images, DynamicBatcher.NO_DEADLINE));
  }

  /** Synchronous {@link #encodeTextsAsync} without a deadline. */
  public Embeddings encodeTexts(String model, List<String> texts) {
    return await(encodeTextsAsync(model, texts, DynamicBatcher.NO_DEADLINE));
  }

  /** {@link #encodeImagesAsync(String, List, long, int)} at priority 0. */
  public CompletableFuture<Embeddings> encodeImagesAsync(String model, List<ImageInput> images, long deadlineNanos) {
    return encodeImagesAsync(model, images, deadlineNanos, 0);
  }

  /**
   * Encodes images. Never blocks.
   *
   * @param deadlineNanos on {@link #clock()}, or {@link DynamicBatcher#NO_DEADLINE}
   * @param priority the items' level in the model's batching queue, {@link #MIN_PRIORITY} to
   *     {@link #MAX_PRIORITY}: higher levels are sent first, FIFO within a level; outside the
   *     range the call fails with {@link InvalidRequestException} naming {@code priority}
   * @return completes with the embeddings, or fails with {@link InvalidRequestException} (naming
   *     the field and item index), {@link ModelNotFoundException}, {@link OverloadedException} or
   *     {@link dev.clipserve.server.batch.RejectedException} (RESOURCE_EXHAUSTED), {@link
   *     dev.clipserve.server.batch.DeadlineExceededException}, {@link UnavailableException} or
   *     {@link dev.clipserve.server.batch.BatcherClosedException}, {@link
   *     dev.clipserve.server.batch.BatchFailedException} / {@link
   *     dev.clipserve.server.inference.InferenceException} (INTERNAL). Cancelling it drops the
   *     call's queued items.
   */
  public CompletableFuture<Embeddings> encodeImagesAsync(
      String model, List<ImageInput> images, long deadlineNanos, int priority) {
    LoadedModel m;
    try {
      m = resolve(model, Modality.IMAGE, "EncodeImages");
      checkCount("images", "image", images.size());
      checkPriority(priority);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return pipeline(m, images.size(), () -> preprocessImages(m, images), deadlineNanos, priority);
  }

  /** {@link #encodeTextsAsync(String, List, long, int)} at priority 0. */
  public CompletableFuture<Embeddings> encodeTextsAsync(String model, List<String> texts, long deadlineNanos) {
    return encodeTextsAsync(model, texts, deadlineNanos, 0);
  }

  /**
   * Encodes texts; errors, priority and cancellation as {@link #encodeImagesAsync(String, List,
   * long, int)}. Texts longer than the
   * context length are truncated (end token kept); longer than {@link ServerConfig#maxTextChars()}
   * characters are refused.
   */
  public CompletableFuture<Embeddings> encodeTextsAsync(
      String model, List<String> texts, long deadlineNanos, int priority) {
    LoadedModel m;
    try {
      m = resolve(model, Modality.TEXT, "EncodeTexts");
      checkCount("texts", "text", texts.size());
      checkPriority(priority);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return pipeline(m, texts.size(), () -> tokenize(m, texts), deadlineNanos, priority);
  }

  /**
   * Preprocesses on the pool, then queues on the model's batcher. The call's {@code count} items
   * are announced to the batcher while they wait for and go through preprocessing (so an idle
   * executor does not wait {@code max_queue_delay} when nothing more is on its way); the
   * announcement ends exactly once: when the items are queued, or when the call ends first.
   */
  private CompletableFuture<Embeddings> pipeline(
      LoadedModel m, int count, Supplier<List<ModelInput>> preprocess, long deadlineNanos, int priority) {
    CompletableFuture<Embeddings> out = new CompletableFuture<>();
    AtomicReference<Future<?>> stage = new AtomicReference<>();
    BatchedModel announced = m.runner() instanceof BatchedModel b ? b : null;
    AtomicBoolean pending = new AtomicBoolean(announced != null);
    if (announced != null) {
      announced.expect(count);
    }
    out.whenComplete(
        (r, e) -> {
          if (pending.compareAndSet(true, false)) {
            announced.unexpect(count);
          }
          if (out.isCancelled()) {
            Future<?> s = stage.get();
            if (s != null) {
              s.cancel(false);
            }
          }
        });
    int dimension = m.manifest().dimension();
    try {
      stage.set(
          preprocessPool.submit(
              () -> {
                if (out.isDone()) {
                  return;
                }
                if (deadlineNanos != DynamicBatcher.NO_DEADLINE && clock.nanoTime() >= deadlineNanos) {
                  out.completeExceptionally(new dev.clipserve.server.batch.DeadlineExceededException(m.name()));
                  return;
                }
                List<ModelInput> items;
                try {
                  items = preprocess.get();
                } catch (RuntimeException e) {
                  out.completeExceptionally(e);
                  return;
                }
                InferenceRunner runner = m.runner();
                if (runner instanceof BatchedModel batched) {
                  CompletableFuture<List<float[]>> queued =
                      batched == announced && pending.compareAndSet(true, false)
                          ? batched.submitExpected(items, deadlineNanos, priority)
                          : batched.submit(items, deadlineNanos, priority);
                  stage.set(queued);
                  if (out.isDone()) {
                    queued.cancel(false);
                  }
                  queued.whenComplete(
                      (vectors, error) -> {
                        if (error != null) {
                          out.completeExceptionally(unwrap(error));
                        } else {
                          out.complete(new Embeddings(m.name(), dimension, vectors.toArray(new float[0][])));
                        }
                      });
                } else {
                  try {
                    out.complete(new Embeddings(m.name(), dimension, runner.run(BatchedModel.concat(items))));
                  } catch (RuntimeException e) {
                    out.completeExceptionally(e);
                  }
                }
              }));
    } catch (RejectedExecutionException e) {
      out.completeExceptionally(
          preprocessPool.isShutdown()
              ? new UnavailableException("the server is shutting down")
              : new OverloadedException(
                  "preprocessing queue full (" + limits.batching().preprocessQueue()
                      + " calls waiting, --preprocess-queue)"));
    }
    return out;
  }

  private List<ModelInput> preprocessImages(LoadedModel m, List<ImageInput> images) {
    ImagePreprocessor pre = m.preprocessor();
    int per = pre.floatsPerImage();
    List<ModelInput> items = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      ImageInput in = images.get(i);
      float[] pixels = new float[per];
      if (in instanceof ImageInput.Encoded e) {
        String field = "images[" + i + "].encoded";
        if (e.bytes().length == 0) {
          throw new InvalidRequestException(field, "empty (0 bytes)");
        }
        if (e.bytes().length > limits.maxEncodedImageBytes()) {
          throw new InvalidRequestException(
              field, e.bytes().length + " bytes, more than the limit of " + limits.maxEncodedImageBytes());
        }
        try {
          pre.preprocessEncoded(e.bytes(), pixels, 0);
        } catch (InvalidImageException ex) {
          throw new InvalidRequestException(field, ex.getMessage());
        }
      } else if (in instanceof ImageInput.Raw r) {
        String field = "images[" + i + "].raw";
        checkRaw(field, r);
        try {
          pre.preprocessRaw((int) r.height(), (int) r.width(), r.rgb(), pixels, 0);
        } catch (InvalidImageException ex) {
          throw new InvalidRequestException(field, ex.getMessage());
        }
      } else {
        throw new InvalidRequestException("images[" + i + "]", "exactly one of encoded or raw is required");
      }
      items.add(new ModelInput.ImageBatch(pixels, 1));
    }
    return items;
  }

  private List<ModelInput> tokenize(LoadedModel m, List<String> texts) {
    ClipTokenizer tok = m.tokenizer();
    List<ModelInput> items = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      String field = "texts[" + i + "]";
      if (text.isBlank()) {
        throw new InvalidRequestException(field, "empty text");
      }
      if (text.length() > limits.maxTextChars()) {
        throw new InvalidRequestException(
            field, text.length() + " characters, more than the limit of " + limits.maxTextChars());
      }
      long[] row;
      try {
        row = tok.encode(text);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(field, e.getMessage());
      }
      items.add(new ModelInput.TextBatch(row, m.takesAttentionMask() ? tok.attentionMask(row) : null, 1));
    }
    return items;
  }

  /** Stops the preprocessing pool (queued calls still run). */
  @Override
  public void close() {
    preprocessPool.shutdown();
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static Embeddings await(CompletableFuture<Embeddings> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException | CancellationException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new UnavailableException("interrupted while encoding");
    }
  }

  private LoadedModel resolve(String model, Modality modality, String rpc) {
    LoadedModel m = repository.get().resolve(model, modality);
    if (m.modality() != modality) {
      throw new InvalidRequestException(
          "model", "'" + m.name() + "' is " + m.modality().withArticle() + " model; " + rpc + " needs "
              + modality.withArticle() + " model");
    }
    return m;
  }

  private void checkCount(String field, String what, int n) {
    if (n == 0) {
      throw new InvalidRequestException(field, "at least one " + what + " is required");
    }
    if (n > limits.maxItemsPerRequest()) {
      throw new InvalidRequestException(
          field, n + " items, more than the limit of " + limits.maxItemsPerRequest() + " per request");
    }
  }

  private static void checkPriority(int priority) {
    if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
      throw new InvalidRequestException(
          "priority", priority + " is outside " + MIN_PRIORITY + " to " + MAX_PRIORITY);
    }
  }

  private void checkRaw(String field, ImageInput.Raw r) {
    if (r.height() <= 0) {
      throw new InvalidRequestException(field + ".height", "must be > 0");
    }
    if (r.width() <= 0) {
      throw new InvalidRequestException(field + ".width", "must be > 0");
    }
    long pixels = r.height() * r.width();
    if (pixels > limits.maxImagePixels()) {
      throw new InvalidRequestException(
          field, r.height() + "x" + r.width() + " = " + pixels + " pixels, more than the limit of "
              + limits.maxImagePixels());
    }
    long expected = pixels * 3;
    if (r.rgb().length != expected) {
      throw new InvalidRequestException(
          field + ".rgb", r.rgb().length + " bytes, expected height*width*3 = " + expected);
    }
  }
}
