package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import dev.clipserve.api.v1.EncodeImagesRequest;
import dev.clipserve.api.v1.EncodeTextsRequest;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.RawImage;
import dev.clipserve.client.ClipserveClient;
import dev.clipserve.server.inference.ModelInput;
import dev.clipserve.server.util.Npy;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * EncoderService end to end on the tiny test models: golden embeddings from PyTorch, every bad
 * input's status code and message, and that the server keeps answering afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncoderServiceIT {
  static final int MAX_ITEMS = 4;
  static final int MAX_TEXT_CHARS = 1000;
  static final long MAX_PIXELS = 1_000_000;

  final AtomicBoolean corruptNextTextBatch = new AtomicBoolean();
  TestServer ts;
  ClipserveClient client;

  @BeforeAll
  void start() throws IOException {
    ServerConfig config =
        ServerConfig.defaults(TestServer.MODELS)
            .withMaxItemsPerRequest(MAX_ITEMS)
            .withMaxTextChars(MAX_TEXT_CHARS)
            .withMaxImagePixels(MAX_PIXELS);
    // A real ONNX Runtime failure on demand: token ids far outside the vocabulary.
    RunnerDecorator corrupting =
        (manifest, runner) ->
            input -> {
              if (input instanceof ModelInput.TextBatch t && corruptNextTextBatch.getAndSet(false)) {
                long[] ids = t.inputIds().clone();
                Arrays.fill(ids, 1_000_000_000L);
                return runner.run(new ModelInput.TextBatch(ids, t.attentionMask(), t.count()));
              }
              return runner.run(input);
            };
    ts = TestServer.start(config, corrupting);
    client = ts.client;
  }

  @AfterAll
  void stop() throws InterruptedException {
    ts.close();
  }

  // ---- golden embeddings -------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"tiny-teacher-image", "tiny-student-image"})
  void encodedPngsMatchPyTorchGoldens(String model) throws IOException {
    Path golden = TestServer.MODELS.resolve(model).resolve("golden");
    Npy expected = Npy.read(golden.resolve("embeddings.npy"));
    int k = expected.shape()[0];
    int dim = expected.shape()[1];
    List<byte[]> pngs = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      pngs.add(Files.readAllBytes(golden.resolve("image_" + i + ".png")));
    }
    ClipserveClient.Result r = client.encodeImages(model, pngs);
    assertEquals(model, r.model());
    assertEquals(dim, r.dimension());
    float diff = Goldens.maxAbsDiff(r.embeddings(), expected.floats(), dim, Goldens.range(k));
    System.out.printf("golden %s via PNG: max abs diff %.3g%n", model, diff);
    assertTrue(diff <= Goldens.TOLERANCE, "max abs diff " + diff);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-teacher-image", "tiny-student-image"})
  void rawRgbTensorsMatchPyTorchGoldens(String model) throws IOException {
    Path golden = TestServer.MODELS.resolve(model).resolve("golden");
    Npy expected = Npy.read(golden.resolve("embeddings.npy"));
    int k = expected.shape()[0];
    int dim = expected.shape()[1];
    List<ClipserveClient.Raw> raws = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      raws.add(rgb(Files.readAllBytes(golden.resolve("image_" + i + ".png"))));
    }
    ClipserveClient.Result r = client.encodeRaw(model, raws);
    float diff = Goldens.maxAbsDiff(r.embeddings(), expected.floats(), dim, Goldens.range(k));
    System.out.printf("golden %s via raw RGB: max abs diff %.3g%n", model, diff);
    assertTrue(diff <= Goldens.TOLERANCE, "max abs diff " + diff);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-teacher-image", "tiny-student-image"})
  void pythonPixelValuesThroughTheSessionMatchPyTorchGoldens(String model) throws IOException {
    Path golden = TestServer.MODELS.resolve(model).resolve("golden");
    Npy expected = Npy.read(golden.resolve("embeddings.npy"));
    Npy pixels = Npy.read(golden.resolve("pixel_values.npy"));
    int k = expected.shape()[0];
    int dim = expected.shape()[1];
    float[][] out =
        ts.server.models().resolve(model, Modality.IMAGE).runner().run(new ModelInput.ImageBatch(pixels.floats(), k));
    float diff = Goldens.maxAbsDiff(Arrays.asList(out), expected.floats(), dim, Goldens.range(k));
    System.out.printf("golden %s via pixel_values.npy: max abs diff %.3g%n", model, diff);
    assertTrue(diff <= Goldens.TOLERANCE, "max abs diff " + diff);
  }

  @Test
  void textsMatchPyTorchGoldens() throws IOException {
    Path golden = TestServer.MODELS.resolve("tiny-teacher-text").resolve("golden");
    Npy expected = Npy.read(golden.resolve("embeddings.npy"));
    int dim = expected.shape()[1];
    JsonArray all = JsonParser.parseString(Files.readString(golden.resolve("texts.json"), StandardCharsets.UTF_8)).getAsJsonArray();
    List<String> texts = new ArrayList<>();
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      String t = all.get(i).getAsString();
      if (!t.isBlank() && t.length() <= MAX_TEXT_CHARS) { // the server refuses empty texts
        texts.add(t);
        rows.add(i);
      }
    }
    List<float[]> got = new ArrayList<>();
    for (int from = 0; from < texts.size(); from += MAX_ITEMS) {
      got.addAll(client.encodeTexts("teacher", texts.subList(from, Math.min(texts.size(), from + MAX_ITEMS))).embeddings());
    }
    float diff = Goldens.maxAbsDiff(got, expected.floats(), dim, rows.stream().mapToInt(Integer::intValue).toArray());
    System.out.printf("golden tiny-teacher-text via texts (%d of %d): max abs diff %.3g%n", texts.size(), all.size(), diff);
    assertTrue(diff <= Goldens.TOLERANCE, "max abs diff " + diff);
  }

  @Test
  void pythonInputIdsThroughTheSessionMatchPyTorchGoldens() throws IOException {
    Path golden = TestServer.MODELS.resolve("tiny-teacher-text").resolve("golden");
    Npy expected = Npy.read(golden.resolve("embeddings.npy"));
    Npy ids = Npy.read(golden.resolve("input_ids.npy"));
    int k = expected.shape()[0];
    int dim = expected.shape()[1];
    float[][] out =
        ts.server.models().resolve("tiny-teacher-text", Modality.TEXT).runner()
            .run(new ModelInput.TextBatch(ids.longs(), null, k));
    float diff = Goldens.maxAbsDiff(Arrays.asList(out), expected.floats(), dim, Goldens.range(k));
    System.out.printf("golden tiny-teacher-text via input_ids.npy: max abs diff %.3g%n", diff);
    assertTrue(diff <= Goldens.TOLERANCE, "max abs diff " + diff);
  }

  // ---- names and normal answers ------------------------------------------------------------

  @Test
  void teacherAndStudentResolveByRoleAndModality() throws IOException {
    byte[] png = golden("tiny-teacher-image", 0);
    assertEquals("tiny-teacher-image", client.encodeImages("teacher", List.of(png)).model());
    assertEquals("tiny-student-image", client.encodeImages("student", List.of(png)).model());
    assertEquals("tiny-teacher-text", client.encodeTexts("teacher", List.of("a cat")).model());
  }

  @Test
  void embeddingsAreUnitLengthAndKeepRequestOrder() throws IOException {
    byte[] a = golden("tiny-teacher-image", 0);
    byte[] b = golden("tiny-teacher-image", 1);
    List<float[]> ab = client.encodeImages("teacher", List.of(a, b)).embeddings();
    List<float[]> ba = client.encodeImages("teacher", List.of(b, a)).embeddings();
    assertTrue(Arrays.equals(ab.get(0), ba.get(1)) || maxDiff(ab.get(0), ba.get(1)) < 1e-6);
    for (float[] v : ab) {
      double n = 0;
      for (float x : v) {
        n += x * x;
      }
      assertEquals(1.0, Math.sqrt(n), 1e-5);
    }
  }

  @Test
  void mixedEncodedAndRawImagesInOneRequest() throws IOException {
    byte[] png = golden("tiny-teacher-image", 2);
    ClipserveClient.Raw raw = rgb(png);
    EncodeImagesRequest req =
        EncodeImagesRequest.newBuilder()
            .setModel("teacher")
            .addImages(Image.newBuilder().setEncoded(ByteString.copyFrom(png)))
            .addImages(Image.newBuilder().setRaw(RawImage.newBuilder().setHeight(raw.height()).setWidth(raw.width()).setRgb(ByteString.copyFrom(raw.rgb()))))
            .build();
    List<float[]> out = client.encodeImages(req).embeddings();
    assertTrue(maxDiff(out.get(0), out.get(1)) < 1e-6);
  }

  @Test
  void overlongTextsWithinTheCharacterLimitAreTruncatedNotRefused() {
    String longText = "cat ".repeat(70); // far beyond the 16-token context
    assertEquals(1, client.encodeTexts("teacher", List.of(longText)).embeddings().size());
  }

  // ---- bad input -> INVALID_ARGUMENT / NOT_FOUND, and the server keeps serving --------------

  @Test
  void emptyImageRequestNamesTheModelField() {
    expect(Status.Code.INVALID_ARGUMENT, "model: required", () -> client.encodeImages(EncodeImagesRequest.getDefaultInstance()));
  }

  @Test
  void requestWithoutImagesNamesImages() {
    expect(Status.Code.INVALID_ARGUMENT, "images: at least one image", () -> client.encodeImages("teacher", List.of()));
  }

  @Test
  void emptyTextRequestNamesTexts() {
    expect(Status.Code.INVALID_ARGUMENT, "texts: at least one text", () -> client.encodeTexts("teacher", List.of()));
  }

  @Test
  void priorityOutsideItsRangeNamesPriority() throws IOException {
    byte[] png = golden("tiny-teacher-image", 0);
    EncodeImagesRequest images =
        EncodeImagesRequest.newBuilder()
            .setModel("teacher").setPriority(101).addImages(dev.clipserve.api.v1.Image.newBuilder()
                .setEncoded(com.google.protobuf.ByteString.copyFrom(png)))
            .build();
    expect(Status.Code.INVALID_ARGUMENT, "priority: 101 is outside -100 to 100", () -> client.encodeImages(images));
    expect(Status.Code.INVALID_ARGUMENT, "priority: -101 is outside -100 to 100",
        () -> client.encodeTexts(EncodeTextsRequest.newBuilder().setModel("teacher").addTexts("a cat").setPriority(-101).build()));
    assertEquals(1, client.encodeImages(images.toBuilder().setPriority(100).build()).embeddings().size(), "100 is in range");
    assertEquals(1, client.encodeTexts(
        EncodeTextsRequest.newBuilder().setModel("teacher").addTexts("a cat").setPriority(-100).build()).embeddings().size());
  }

  @Test
  void unknownModelIsNotFound() {
    expect(Status.Code.NOT_FOUND, "no model named 'vit-h-14'", () -> client.encodeTexts("vit-h-14", List.of("a cat")));
    expect(Status.Code.NOT_FOUND, "no model named 'vit-h-14'", () -> client.encodeImages("vit-h-14", List.of(new byte[] {1})));
  }

  @Test
  void undecodableImageNamesItsIndex() throws IOException {
    byte[] good = golden("tiny-teacher-image", 0);
    byte[] junk = "this is not an image".getBytes(StandardCharsets.UTF_8);
    expect(Status.Code.INVALID_ARGUMENT, "images[1].encoded: ", () -> client.encodeImages("teacher", List.of(good, junk)));
  }

  @Test
  void truncatedImageNamesItsIndex() throws IOException {
    byte[] good = golden("tiny-teacher-image", 0);
    byte[] cut = Arrays.copyOf(good, good.length / 2);
    expect(Status.Code.INVALID_ARGUMENT, "images[2].encoded: ", () -> client.encodeImages("teacher", List.of(good, good, cut)));
  }

  @Test
  void zeroByteImageNamesItsIndex() {
    expect(Status.Code.INVALID_ARGUMENT, "images[0].encoded: empty", () -> client.encodeImages("student", List.of(new byte[0])));
  }

  @Test
  void headerDeclaringTooManyPixelsIsRefusedBeforeDecoding() {
    byte[] bomb = pngHeaderOnly(100_000, 100_000);
    expect(Status.Code.INVALID_ARGUMENT, "images[0].encoded: ", () -> client.encodeImages("teacher", List.of(bomb)));
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.encodeImages("teacher", List.of(bomb)));
    assertTrue(e.getStatus().getDescription().contains("100000x100000"), e.getStatus().getDescription());
  }

  @Test
  void rawTensorOfWrongSizeNamesRgb() {
    var raw = new ClipserveClient.Raw(4, 5, new byte[4 * 5 * 3 - 1]);
    expect(Status.Code.INVALID_ARGUMENT, "images[0].raw.rgb: 59 bytes, expected height*width*3 = 60", () -> client.encodeRaw("teacher", List.of(raw)));
  }

  @Test
  void rawTensorWithZeroHeightNamesHeight() {
    var raw = new ClipserveClient.Raw(0, 5, new byte[0]);
    expect(Status.Code.INVALID_ARGUMENT, "images[0].raw.height: must be > 0", () -> client.encodeRaw("teacher", List.of(raw)));
  }

  @Test
  void rawTensorOverThePixelLimitIsRefused() {
    var raw = new ClipserveClient.Raw(2000, 2000, new byte[3]);
    expect(Status.Code.INVALID_ARGUMENT, "images[0].raw: 2000x2000 = 4000000 pixels", () -> client.encodeRaw("teacher", List.of(raw)));
  }

  @Test
  void imageWithNeitherEncodedNorRawNamesItsIndex() {
    EncodeImagesRequest req = EncodeImagesRequest.newBuilder().setModel("teacher").addImages(Image.getDefaultInstance()).build();
    expect(Status.Code.INVALID_ARGUMENT, "images[0]: exactly one of encoded or raw", () -> client.encodeImages(req));
  }

  @Test
  void moreItemsThanTheLimitAreRefused() throws IOException {
    byte[] png = golden("tiny-teacher-image", 0);
    expect(Status.Code.INVALID_ARGUMENT, "images: 5 items, more than the limit of 4",
        () -> client.encodeImages("teacher", Collections.nCopies(MAX_ITEMS + 1, png)));
    expect(Status.Code.INVALID_ARGUMENT, "texts: 5 items, more than the limit of 4",
        () -> client.encodeTexts("teacher", Collections.nCopies(MAX_ITEMS + 1, "a cat")));
  }

  @Test
  void emptyOrBlankTextNamesItsIndex() {
    expect(Status.Code.INVALID_ARGUMENT, "texts[1]: empty text", () -> client.encodeTexts("teacher", List.of("a cat", "")));
    expect(Status.Code.INVALID_ARGUMENT, "texts[2]: empty text", () -> client.encodeTexts("teacher", List.of("a", "b", "  \n")));
  }

  @Test
  void textOverTheCharacterLimitNamesItsIndex() {
    String huge = "x".repeat(MAX_TEXT_CHARS + 1);
    expect(Status.Code.INVALID_ARGUMENT, "texts[0]: 1001 characters, more than the limit of 1000", () -> client.encodeTexts("teacher", List.of(huge)));
  }

  @Test
  void textsForAnImageOnlyModelAreRefused() {
    expect(Status.Code.INVALID_ARGUMENT, "model: 'tiny-student-image' is an image model; EncodeTexts needs a text model",
        () -> client.encodeTexts("tiny-student-image", List.of("a cat")));
    expect(Status.Code.INVALID_ARGUMENT, "model: 'student' has no text model",
        () -> client.encodeTexts("student", List.of("a cat")));
  }

  @Test
  void imagesForATextModelAreRefused() throws IOException {
    byte[] png = golden("tiny-teacher-image", 0);
    expect(Status.Code.INVALID_ARGUMENT, "model: 'tiny-teacher-text' is a text model",
        () -> client.encodeImages("tiny-teacher-text", List.of(png)));
  }

  @Test
  void runtimeFailureIsInternalForThatCallOnly() {
    corruptNextTextBatch.set(true);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.encodeTexts("teacher", List.of("a cat")));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains("tiny-teacher-text"), e.getStatus().getDescription());
    assertServesNormally();
  }

  /** Asserts the code and a message fragment, then that the server still answers normally. */
  private void expect(Status.Code code, String message, Supplier<?> call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(message), "'" + e.getStatus().getDescription() + "' should contain '" + message + "'");
    assertServesNormally();
  }

  private void assertServesNormally() {
    assertEquals(1, client.encodeTexts(EncodeTextsRequest.newBuilder().setModel("teacher").addTexts("a cat").build()).embeddings().size());
    try {
      assertEquals(1, client.encodeImages("student", List.of(golden("tiny-student-image", 1))).embeddings().size());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  static byte[] golden(String model, int k) throws IOException {
    return Files.readAllBytes(TestServer.MODELS.resolve(model).resolve("golden").resolve("image_" + k + ".png"));
  }

  /** Decodes an 8-bit RGB PNG into a row-major HWC raw tensor. */
  static ClipserveClient.Raw rgb(byte[] png) throws IOException {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    int h = img.getHeight();
    int w = img.getWidth();
    byte[] rgb = new byte[h * w * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = img.getRGB(x, y);
        int o = (y * w + x) * 3;
        rgb[o] = (byte) (p >> 16);
        rgb[o + 1] = (byte) (p >> 8);
        rgb[o + 2] = (byte) p;
      }
    }
    return new ClipserveClient.Raw(h, w, rgb);
  }

  static float maxDiff(float[] a, float[] b) {
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  /** A PNG whose IHDR declares {@code w x h} RGB pixels, with no pixel data: a bomb's header. */
  static byte[] pngHeaderOnly(int w, int h) {
    ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    chunk(b, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).array());
    chunk(b, "IDAT", new byte[0]);
    chunk(b, "IEND", new byte[0]);
    return b.array();
  }

  private static void chunk(ByteBuffer b, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    b.putInt(data.length).put(t).put(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    b.putInt((int) crc.getValue());
  }
}
