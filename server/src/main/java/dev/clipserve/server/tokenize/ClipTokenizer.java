package dev.clipserve.server.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A text model's tokenizer: a Hugging Face {@code tokenizer.json} (CLIP's byte-level BPE as shipped
 * by {@code openai/clip-vit-base-patch32}, or any model type the HF tokenizers library reads),
 * loaded from a local file through DJL's bundled native library, offline.
 *
 * <p>{@link #encode} returns exactly {@link #contextLength()} ids: the tokenizer's own post-processor
 * adds the start and end tokens ({@code <|startoftext|>}, {@code <|endoftext|>} for CLIP); longer
 * texts are truncated keeping the first {@code contextLength - 1} ids and the end token last (as
 * OpenAI's {@code clip.tokenize(truncate=True)} does); shorter ones are padded with {@code padId}.
 *
 * <p>Thread-safe: the native tokenizer is immutable after loading. {@link #close()} frees it; using
 * the tokenizer after close is an error.
 */
public final class ClipTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int contextLength;
  private final long padId;
  /** The id the post-processor appends (CLIP: {@code <|endoftext|>}), or -1 if it appends none. */
  private final long endId;

  private ClipTokenizer(HuggingFaceTokenizer tokenizer, int contextLength, long padId) {
    this.tokenizer = tokenizer;
    this.contextLength = contextLength;
    this.padId = padId;
    long[] with = tokenizer.encode("a", true, false).getIds();
    long[] without = tokenizer.encode("a", false, false).getIds();
    this.endId = with.length > without.length && with.length > 0 ? with[with.length - 1] : -1;
  }

  /**
   * Loads {@code tokenizerJson} without any network access. Sets the system property {@code
   * ai.djl.offline=true} first when it is not set, which stops DJL from calling home.
   *
   * @param contextLength ids per encoded text, including start and end tokens; at least 2
   * @param padId id used for padding (OpenAI CLIP pads with 0)
   * @throws IOException if the file is missing or not a valid tokenizer
   */
  public static ClipTokenizer load(Path tokenizerJson, int contextLength, long padId)
      throws IOException {
    if (contextLength < 2) {
      throw new IllegalArgumentException("contextLength must be at least 2, got " + contextLength);
    }
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new IOException("tokenizer file not found: " + tokenizerJson);
    }
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    Map<String, String> options =
        Map.of(
            "addSpecialTokens", "true",
            "padding", "false",
            "truncation", "false");
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, options);
    } catch (RuntimeException e) {
      throw new IOException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
    }
    return new ClipTokenizer(tokenizer, contextLength, padId);
  }

  /** Ids per encoded text. */
  public int contextLength() {
    return contextLength;
  }

  /** The id used for padding. */
  public long padId() {
    return padId;
  }

  /**
   * Tokenizes {@code text}: start token, text tokens, end token, then padding to {@link
   * #contextLength()}; over-long texts are truncated keeping the end token last.
   *
   * @throws IllegalArgumentException "empty text" if {@code text} is null, empty or only
   *     whitespace
   */
  public long[] encode(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty text");
    }
    Encoding encoding = tokenizer.encode(text);
    long[] ids = encoding.getIds();
    long[] out = new long[contextLength];
    if (ids.length <= contextLength) {
      System.arraycopy(ids, 0, out, 0, ids.length);
      for (int i = ids.length; i < contextLength; i++) {
        out[i] = padId;
      }
    } else {
      System.arraycopy(ids, 0, out, 0, contextLength - 1);
      out[contextLength - 1] = ids[ids.length - 1];
    }
    return out;
  }

  /**
   * The attention mask of {@code ids} as returned by {@link #encode}: 1 for the start token, the
   * text and the end token, 0 for the padding after them. Padding is the trailing run of {@code
   * padId}; when {@code padId} is the end token itself (Hugging Face's CLIP config pads with
   * {@code <|endoftext|>}), the first id of that run is the real end token and counts as 1.
   */
  public long[] attentionMask(long[] ids) {
    long[] mask = new long[ids.length];
    int last = ids.length - 1;
    while (last >= 0 && ids[last] == padId) {
      last--;
    }
    if (padId == endId && last < ids.length - 1) {
      last++;
    }
    for (int i = 0; i <= last; i++) {
      mask[i] = 1;
    }
    return mask;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
