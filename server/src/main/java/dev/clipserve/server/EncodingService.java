package dev.clipserve.server;

import dev.clipserve.server.inference.ModelInput;
import dev.clipserve.server.preprocess.ImagePreprocessor;
import dev.clipserve.server.preprocess.InvalidImageException;
import dev.clipserve.server.tokenize.ClipTokenizer;
import java.util.List;
import java.util.function.Supplier;

/**
 * Encodes the items of one request with one model: resolve the model, validate and preprocess
 * every item (nothing runs unless all items are valid), run the batch, return the vectors in
 * request order. Transport-free: the gRPC adapter maps its exceptions to status codes.
 *
 * <p>Thread-safe.
 */
public final class EncodingService {
  private final Supplier<ModelRepository> repository;
  private final ServerConfig limits;

  /**
   * @param repository the loaded models; may throw {@link UnavailableException} while loading
   * @param limits request limits (items, pixels, bytes, characters)
   */
  public EncodingService(Supplier<ModelRepository> repository, ServerConfig limits) {
    this.repository = repository;
    this.limits = limits;
  }

  /**
   * @throws InvalidRequestException naming the field and item index
   * @throws ModelNotFoundException for an unknown model
   * @throws dev.clipserve.server.inference.InferenceException when inference fails
   */
  public Embeddings encodeImages(String model, List<ImageInput> images) {
    LoadedModel m = resolve(model, Modality.IMAGE, "EncodeImages");
    checkCount("images", "image", images.size());
    ImagePreprocessor pre = m.preprocessor();
    int per = pre.floatsPerImage();
    float[] pixels = new float[Math.multiplyExact(images.size(), per)];
    for (int i = 0; i < images.size(); i++) {
      ImageInput in = images.get(i);
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
          pre.preprocessEncoded(e.bytes(), pixels, i * per);
        } catch (InvalidImageException ex) {
          throw new InvalidRequestException(field, ex.getMessage());
        }
      } else if (in instanceof ImageInput.Raw r) {
        String field = "images[" + i + "].raw";
        checkRaw(field, r);
        try {
          pre.preprocessRaw((int) r.height(), (int) r.width(), r.rgb(), pixels, i * per);
        } catch (InvalidImageException ex) {
          throw new InvalidRequestException(field, ex.getMessage());
        }
      } else {
        throw new InvalidRequestException("images[" + i + "]", "exactly one of encoded or raw is required");
      }
    }
    float[][] vectors = m.runner().run(new ModelInput.ImageBatch(pixels, images.size()));
    return new Embeddings(m.name(), m.manifest().dimension(), vectors);
  }

  /**
   * Texts longer than the context length are truncated (end token kept); longer than {@link
   * ServerConfig#maxTextChars()} characters are refused.
   *
   * @throws InvalidRequestException naming the field and item index
   * @throws ModelNotFoundException for an unknown model
   * @throws dev.clipserve.server.inference.InferenceException when inference fails
   */
  public Embeddings encodeTexts(String model, List<String> texts) {
    LoadedModel m = resolve(model, Modality.TEXT, "EncodeTexts");
    checkCount("texts", "text", texts.size());
    ClipTokenizer tok = m.tokenizer();
    int ctx = tok.contextLength();
    long[] ids = new long[Math.multiplyExact(texts.size(), ctx)];
    long[] mask = m.takesAttentionMask() ? new long[ids.length] : null;
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
      System.arraycopy(row, 0, ids, i * ctx, ctx);
      if (mask != null) {
        System.arraycopy(tok.attentionMask(row), 0, mask, i * ctx, ctx);
      }
    }
    float[][] vectors = m.runner().run(new ModelInput.TextBatch(ids, mask, texts.size()));
    return new Embeddings(m.name(), m.manifest().dimension(), vectors);
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
