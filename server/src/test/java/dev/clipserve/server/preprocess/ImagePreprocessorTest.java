package dev.clipserve.server.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImagePreprocessorTest {
  static final ImageSpec SPEC =
      new ImageSpec(
          8,
          new float[] {0.48145466f, 0.4578275f, 0.40821073f},
          new float[] {0.26862954f, 0.26130258f, 0.27577711f});

  final ImagePreprocessor pre = new ImagePreprocessor(SPEC, 1_000_000);

  @Test
  void solidColourImageNormalizesToConstantPlanes() throws IOException {
    BufferedImage img = new BufferedImage(30, 17, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 17; y++) {
      for (int x = 0; x < 30; x++) {
        img.setRGB(x, y, 0x336699);
      }
    }
    float[] out = new float[pre.floatsPerImage()];
    pre.preprocessEncoded(png(img), out, 0);
    int[] rgb = {0x33, 0x66, 0x99};
    for (int c = 0; c < 3; c++) {
      float want = (rgb[c] / 255f - SPEC.mean()[c]) / SPEC.std()[c];
      for (int i = 0; i < 64; i++) {
        assertEquals(want, out[c * 64 + i], 0f);
      }
    }
  }

  @Test
  void rawAndEncodedGiveTheSameTensor() throws IOException {
    int w = 23;
    int h = 11;
    byte[] rgb = new byte[w * h * 3];
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = (x * 11) & 0xFF;
        int g = (y * 23) & 0xFF;
        int b = (x * y) & 0xFF;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
        int i = (y * w + x) * 3;
        rgb[i] = (byte) r;
        rgb[i + 1] = (byte) g;
        rgb[i + 2] = (byte) b;
      }
    }
    float[] a = new float[pre.floatsPerImage()];
    float[] b = new float[pre.floatsPerImage()];
    pre.preprocessEncoded(png(img), a, 0);
    pre.preprocessRaw(h, w, rgb, b, 0);
    assertTrue(Arrays.equals(a, b));
  }

  @Test
  void imageAlreadyAtModelSizeIsTheCropWindowNormalizedWithoutResampling() {
    // 8x8 is the model size; 8 wide x 13 high keeps its width and is only center-cropped
    // (top = round-half-even(5 / 2) = 2), as Pillow's resize to the same size is a copy.
    for (int h : new int[] {8, 13}) {
      int w = 8;
      byte[] rgb = new byte[w * h * 3];
      new java.util.Random(h).nextBytes(rgb);
      float[] out = new float[pre.floatsPerImage()];
      pre.preprocessRaw(h, w, rgb, out, 0);
      int top = h == 8 ? 0 : 2;
      RgbImage viaResampler =
          BicubicResampler.resizeAndCrop(new RgbImage(w, h, rgb), w, h, 0, top, 8, 8);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 8; y++) {
          for (int x = 0; x < 8; x++) {
            int v = rgb[((top + y) * w + x) * 3 + c] & 0xFF;
            assertEquals(v, viaResampler.pixels()[(y * 8 + x) * 3 + c] & 0xFF);
            float want = (v / 255f - SPEC.mean()[c]) / SPEC.std()[c];
            assertEquals(want, out[c * 64 + y * 8 + x], 0f, "h=" + h + " c=" + c + " y=" + y + " x=" + x);
          }
        }
      }
    }
  }

  @Test
  void refusesZeroBytes() {
    InvalidImageException e =
        assertThrows(
            InvalidImageException.class, () -> pre.preprocessEncoded(new byte[0], out(), 0));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void refusesGarbage() {
    byte[] garbage = "definitely not an image, just some text".getBytes();
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> pre.preprocessEncoded(garbage, out(), 0));
    assertTrue(e.getMessage().startsWith("not a decodable image"), e.getMessage());
  }

  @Test
  void refusesTruncatedPng() throws IOException {
    byte[] full = png(noise(64, 48));
    byte[] cut = Arrays.copyOf(full, full.length / 2);
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> pre.preprocessEncoded(cut, out(), 0));
    assertTrue(e.getMessage().startsWith("not a decodable image (PNG"), e.getMessage());
  }

  @Test
  void refusesTruncatedJpeg() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(noise(64, 48), "jpeg", bytes);
    byte[] full = bytes.toByteArray();
    byte[] cut = Arrays.copyOf(full, full.length / 2);
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> pre.preprocessEncoded(cut, out(), 0));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void refusesDecompressionBombFromHeaderWithoutAllocating() {
    byte[] bomb = pngHeaderOnly(100_000, 100_000);
    ImagePreprocessor big = new ImagePreprocessor(SPEC, 50_000_000);
    InvalidImageException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () ->
                assertThrows(
                    InvalidImageException.class, () -> big.preprocessEncoded(bomb, out(), 0)));
    assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
    assertTrue(e.getMessage().contains("limit is 50000000"), e.getMessage());
  }

  @Test
  void refusesJpegBombFromHeader() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(noise(16, 16), "jpeg", bytes);
    byte[] jpeg = bytes.toByteArray();
    for (int i = 2; i + 8 < jpeg.length; i++) { // SOF0: FF C0 len(2) precision(1) height(2) width(2)
      if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
        jpeg[i + 5] = (byte) 0xEA; // height 60000
        jpeg[i + 6] = (byte) 0x60;
        jpeg[i + 7] = (byte) 0xEA; // width 60000
        jpeg[i + 8] = (byte) 0x60;
        break;
      }
    }
    InvalidImageException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> assertThrows(InvalidImageException.class, () -> pre.preprocessEncoded(jpeg, out(), 0)));
    assertTrue(e.getMessage().contains("60000x60000"), e.getMessage());
  }

  @Test
  void givesIdenticalResultsFromManyThreads() throws Exception {
    byte[] png = png(noise(97, 61));
    float[] expected = out();
    pre.preprocessEncoded(png, expected, 0);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<float[]>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 32; i++) {
        results.add(
            pool.submit(
                () -> {
                  float[] o = out();
                  pre.preprocessEncoded(png, o, 0);
                  return o;
                }));
      }
      for (var f : results) {
        assertTrue(Arrays.equals(expected, f.get()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesRawOfWrongSize() {
    InvalidImageException e =
        assertThrows(
            InvalidImageException.class, () -> pre.preprocessRaw(4, 5, new byte[59], out(), 0));
    assertTrue(e.getMessage().contains("59 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("60"), e.getMessage());
  }

  @Test
  void refusesRawWithNonPositiveDimensions() {
    assertThrows(InvalidImageException.class, () -> pre.preprocessRaw(0, 5, new byte[0], out(), 0));
    assertThrows(InvalidImageException.class, () -> pre.preprocessRaw(5, -1, new byte[0], out(), 0));
  }

  @Test
  void refusesRawOverPixelLimit() {
    ImagePreprocessor small = new ImagePreprocessor(SPEC, 100);
    InvalidImageException e =
        assertThrows(
            InvalidImageException.class,
            () -> small.preprocessRaw(11, 10, new byte[330], out(), 0));
    assertTrue(e.getMessage().contains("limit is 100"), e.getMessage());
  }

  @Test
  void writesAtOffsetAndChecksOutputRoom() throws IOException {
    float[] out = new float[pre.floatsPerImage() * 2];
    Arrays.fill(out, Float.NaN);
    pre.preprocessEncoded(png(noise(9, 9)), out, pre.floatsPerImage());
    assertTrue(Float.isNaN(out[pre.floatsPerImage() - 1]));
    assertTrue(!Float.isNaN(out[pre.floatsPerImage()]));
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> pre.preprocessRaw(2, 2, new byte[12], new float[10], 0));
  }

  @Test
  void imageSpecValidates() {
    float[] three = {0.5f, 0.5f, 0.5f};
    assertThrows(IllegalArgumentException.class, () -> new ImageSpec(0, three, three));
    assertThrows(IllegalArgumentException.class, () -> new ImageSpec(8, new float[2], three));
    assertThrows(
        IllegalArgumentException.class, () -> new ImageSpec(8, three, new float[] {1, 0, 1}));
  }

  static float[] out() {
    return new float[SPEC.floatsPerImage()];
  }

  static BufferedImage noise(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    long seed = 42;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        seed = seed * 6364136223846793005L + 1442695040888963407L;
        img.setRGB(x, y, (int) (seed >>> 40));
      }
    }
    return img;
  }

  static byte[] png(BufferedImage img) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(img, "png", bytes);
    return bytes.toByteArray();
  }

  /** A PNG signature + IHDR declaring {@code w x h} RGB 8-bit, and a tiny IDAT: a bomb's header. */
  static byte[] pngHeaderOnly(int w, int h) {
    ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2);
    chunk(b, "IHDR", ihdr.put(new byte[3]).array());
    chunk(b, "IDAT", new byte[0]);
    chunk(b, "IEND", new byte[0]);
    return b.array();
  }

  static void chunk(ByteBuffer b, String type, byte[] data) {
    b.putInt(data.length);
    byte[] t = type.getBytes();
    b.put(t).put(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    b.putInt((int) crc.getValue());
  }
}
