package dev.clipserve.server.inference;

/**
 * One batch of model input, already preprocessed: the unit an {@link InferenceRunner} runs. Arrays
 * are owned by the batch once made; callers must not change them afterwards.
 */
public sealed interface ModelInput permits ModelInput.ImageBatch, ModelInput.TextBatch {

  /** Items in the batch (the N of the tensors' first axis). */
  int count();

  /**
   * Images as NCHW float32, normalized.
   *
   * @param pixels {@code count * floatsPerImage} floats, image after image
   * @param count images in the batch, > 0
   */
  record ImageBatch(float[] pixels, int count) implements ModelInput {
    public ImageBatch {
      if (count <= 0 || pixels.length % count != 0) {
        throw new IllegalArgumentException(
            "pixels (" + pixels.length + " floats) must hold count = " + count + " equal images");
      }
    }
  }

  /**
   * Token ids, padded to the context length.
   *
   * @param inputIds {@code count * contextLength} ids, text after text
   * @param attentionMask same layout as {@code inputIds} (1 = token, 0 = padding), or null when
   *     the model takes no mask
   * @param count texts in the batch, > 0
   */
  record TextBatch(long[] inputIds, long[] attentionMask, int count) implements ModelInput {
    public TextBatch {
      if (count <= 0 || inputIds.length % count != 0) {
        throw new IllegalArgumentException(
            "inputIds (" + inputIds.length + ") must hold count = " + count + " equal rows");
      }
      if (attentionMask != null && attentionMask.length != inputIds.length) {
        throw new IllegalArgumentException("attentionMask must have the length of inputIds");
      }
    }
  }
}
