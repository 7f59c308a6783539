package dev.clipserve.server.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs batches through one ONNX session and L2-normalizes the output rows.
 *
 * <p>Thread-safe (ONNX Runtime sessions allow concurrent {@code run} calls). Owns the session:
 * {@link #close} closes it; calls after close fail with {@link InferenceException}.
 */
public final class OnnxEncoder implements InferenceRunner, AutoCloseable {
  private final String modelName;
  private final OrtEnvironment environment;
  private final OnnxSession session;
  private final String inputName;
  private final String maskName;
  private final String outputName;
  private final long[] itemShape;
  private final int itemLength;
  private final int dimension;

  /**
   * @param modelName for error messages
   * @param inputName graph input: pixel values (image) or token ids (text)
   * @param maskName graph input for the attention mask, or null when the model takes none
   * @param outputName graph output holding {@code [N, dimension]} embeddings
   * @param itemShape shape of one item without the batch axis: {@code [3, size, size]} or {@code
   *     [contextLength]}
   * @param dimension embedding width
   */
  public OnnxEncoder(
      String modelName,
      OrtEnvironment environment,
      OnnxSession session,
      String inputName,
      String maskName,
      String outputName,
      long[] itemShape,
      int dimension) {
    this.modelName = modelName;
    this.environment = environment;
    this.session = session;
    this.inputName = inputName;
    this.maskName = maskName;
    this.outputName = outputName;
    this.itemShape = itemShape.clone();
    long len = 1;
    for (long d : itemShape) {
      len *= d;
    }
    this.itemLength = Math.toIntExact(len);
    this.dimension = dimension;
  }

  /** The execution provider the session runs on. */
  public ExecutionProvider provider() {
    return session.provider();
  }

  /** Number of input values (floats or ids) per item. */
  public int itemLength() {
    return itemLength;
  }

  @Override
  public float[][] run(ModelInput input) {
    int n = input.count();
    long[] shape = new long[itemShape.length + 1];
    shape[0] = n;
    System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
    Map<String, OnnxTensor> feeds = new HashMap<>();
    try {
      if (input instanceof ModelInput.ImageBatch images) {
        requireLength(images.pixels().length, n);
        feeds.put(inputName, OnnxTensor.createTensor(environment, FloatBuffer.wrap(images.pixels()), shape));
      } else if (input instanceof ModelInput.TextBatch texts) {
        requireLength(texts.inputIds().length, n);
        feeds.put(inputName, OnnxTensor.createTensor(environment, LongBuffer.wrap(texts.inputIds()), shape));
        if (maskName != null) {
          long[] mask = texts.attentionMask();
          if (mask == null) {
            mask = new long[texts.inputIds().length];
            java.util.Arrays.fill(mask, 1L);
          }
          feeds.put(maskName, OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
        }
      }
      try (OrtSession.Result result = session.session().run(feeds, Set.of(outputName))) {
        Optional<OnnxValue> value = result.get(outputName);
        if (value.isEmpty() || !(value.get() instanceof OnnxTensor out)) {
          throw new InferenceException("model " + modelName + ": no tensor output " + outputName, null);
        }
        long[] outShape = out.getInfo().getShape();
        if (outShape.length != 2 || outShape[0] != n || outShape[1] != dimension) {
          throw new InferenceException(
              "model " + modelName + ": output shape " + java.util.Arrays.toString(outShape)
                  + ", expected [" + n + ", " + dimension + "]",
              null);
        }
        FloatBuffer buffer = out.getFloatBuffer();
        float[][] rows = new float[n][dimension];
        for (int i = 0; i < n; i++) {
          buffer.get(rows[i]);
          Vectors.l2NormalizeInPlace(rows[i]);
        }
        return rows;
      }
    } catch (OrtException | IllegalStateException e) {
      throw new InferenceException("model " + modelName + ": inference failed: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : feeds.values()) {
        t.close();
      }
    }
  }

  private void requireLength(int length, int n) {
    if ((long) n * itemLength != length) {
      throw new IllegalArgumentException(
          "model " + modelName + ": batch of " + n + " needs " + (long) n * itemLength + " values, got " + length);
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
