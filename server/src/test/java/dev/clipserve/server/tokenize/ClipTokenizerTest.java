package dev.clipserve.server.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonParser;
import dev.clipserve.server.util.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClipTokenizerTest {
  static final Path MODEL = Paths.get("src/test/resources/models/tiny-teacher-text");
  static final long SOT = 664;
  static final long EOT = 665;
  static ClipTokenizer tokenizer;

  @BeforeAll
  static void load() throws IOException {
    tokenizer = ClipTokenizer.load(MODEL.resolve("tokenizer.json"), 16, 0);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void addsStartAndEndTokensAndPadsToContextLength() {
    long[] ids = tokenizer.encode("a photo of a cat");
    assertEquals(16, ids.length);
    assertEquals(SOT, ids[0]);
    assertArrayEquals(new long[] {664, 320, 556, 517, 320, 569, 665, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ids);
  }

  @Test
  void truncatesKeepingTheEndTokenLast() {
    String text = "cat ".repeat(100);
    long[] ids = tokenizer.encode(text);
    assertEquals(16, ids.length);
    assertEquals(SOT, ids[0]);
    assertEquals(EOT, ids[15]);
    long[] mask = tokenizer.attentionMask(ids);
    assertEquals(16, Arrays.stream(mask).sum());
  }

  @Test
  void attentionMaskCoversStartTextAndEndOnly() {
    long[] ids = tokenizer.encode("a photo of a cat");
    assertArrayEquals(
        new long[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, tokenizer.attentionMask(ids));
  }

  @Test
  void padsWithEndTokenAndMasksOnlyThePaddingWhenPadIdIsTheEndToken() throws IOException {
    try (ClipTokenizer hfStyle = ClipTokenizer.load(MODEL.resolve("tokenizer.json"), 10, EOT)) {
      long[] ids = hfStyle.encode("a photo");
      assertArrayEquals(new long[] {664, 320, 556, 665, 665, 665, 665, 665, 665, 665}, ids);
      assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, hfStyle.attentionMask(ids));
    }
  }

  @Test
  void keepsALiteralEndTokenInsideTheTextUnderTheMask() {
    long[] ids = tokenizer.encode("cat <|endoftext|> dog");
    assertEquals(EOT, ids[2]);
    long[] mask = tokenizer.attentionMask(ids);
    assertEquals(5, Arrays.stream(mask).sum());
  }

  @Test
  void refusesEmptyAndBlankText() {
    for (String text : new String[] {"", "   ", "\n\t", null}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> tokenizer.encode(text));
      assertEquals("empty text", e.getMessage());
    }
  }

  @Test
  void missingFileIsAnIoException() {
    assertThrows(
        IOException.class, () -> ClipTokenizer.load(MODEL.resolve("no-such.json"), 16, 0));
  }

  @Test
  void matchesPythonTokenizerOnGoldenTexts() throws IOException {
    var texts = JsonParser.parseString(Files.readString(MODEL.resolve("golden/texts.json")))
        .getAsJsonArray();
    Npy golden = Npy.read(MODEL.resolve("golden/input_ids.npy"));
    int ctx = golden.shape()[1];
    long[] all = golden.longs();
    int checked = 0;
    for (int k = 0; k < texts.size(); k++) {
      String text = texts.get(k).getAsString();
      if (text.isBlank()) {
        continue; // the server refuses empty text; see refusesEmptyAndBlankText
      }
      long[] expected = Arrays.copyOfRange(all, k * ctx, (k + 1) * ctx);
      assertArrayEquals(expected, tokenizer.encode(text), "text " + k + ": " + text);
      checked++;
    }
    assertEquals(texts.size() - 1, checked);
  }
}
