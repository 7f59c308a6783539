package dev.clipserve.server.preprocess;

import java.nio.charset.StandardCharsets;

/**
 * The EXIF Orientation tag (0x0112) of an encoded image, and Pillow's {@code
 * ImageOps.exif_transpose} applied to pixels. Reads the tag from a JPEG's {@code APP1 "Exif"}
 * segment, a PNG's {@code eXIf} chunk, or a TIFF file's first IFD; a missing, malformed or
 * out-of-range tag reads as 1 (no transform). Never throws on bad metadata. Stateless.
 */
final class ExifOrientation {
  static final int NORMAL = 1;
  private static final int TAG_ORIENTATION = 0x0112;

  private ExifOrientation() {}

  /** The orientation 1..8 declared by {@code encoded}; 1 when it declares none. */
  static int read(byte[] encoded) {
    try {
      int value;
      if (isJpeg(encoded)) {
        value = fromJpeg(encoded);
      } else if (isPng(encoded)) {
        value = fromPng(encoded);
      } else if (isTiffHeader(encoded, 0)) {
        value = fromTiff(encoded, 0, encoded.length);
      } else {
        value = NORMAL;
      }
      return value >= 1 && value <= 8 ? value : NORMAL;
    } catch (RuntimeException malformed) {
      return NORMAL;
    }
  }

  /** Applies {@code orientation} as Pillow's exif_transpose does (2..8; 1 returns {@code in}). */
  static RgbImage apply(RgbImage in, int orientation) {
    if (orientation <= NORMAL || orientation > 8) {
      return in;
    }
    int w = in.width();
    int h = in.height();
    boolean swap = orientation >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    byte[] src = in.pixels();
    byte[] dst = new byte[src.length];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { // FLIP_LEFT_RIGHT
            sx = w - 1 - x;
            sy = y;
          }
          case 3 -> { // ROTATE_180
            sx = w - 1 - x;
            sy = h - 1 - y;
          }
          case 4 -> { // FLIP_TOP_BOTTOM
            sx = x;
            sy = h - 1 - y;
          }
          case 5 -> { // TRANSPOSE
            sx = y;
            sy = x;
          }
          case 6 -> { // ROTATE_270 (90 degrees clockwise)
            sx = y;
            sy = h - 1 - x;
          }
          case 7 -> { // TRANSVERSE
            sx = w - 1 - y;
            sy = h - 1 - x;
          }
          default -> { // 8: ROTATE_90 (90 degrees counter-clockwise)
            sx = w - 1 - y;
            sy = x;
          }
        }
        int s = (sy * w + sx) * 3;
        int d = (y * ow + x) * 3;
        dst[d] = src[s];
        dst[d + 1] = src[s + 1];
        dst[d + 2] = src[s + 2];
      }
    }
    return new RgbImage(ow, oh, dst);
  }

  private static boolean isJpeg(byte[] b) {
    return b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8;
  }

  private static boolean isPng(byte[] b) {
    return b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
  }

  private static boolean isTiffHeader(byte[] b, int at) {
    return b.length >= at + 8
        && ((b[at] == 'I' && b[at + 1] == 'I' && b[at + 2] == 42 && b[at + 3] == 0)
            || (b[at] == 'M' && b[at + 1] == 'M' && b[at + 2] == 0 && b[at + 3] == 42));
  }

  private static int fromJpeg(byte[] b) {
    int p = 2;
    while (p + 4 <= b.length) {
      if ((b[p] & 0xFF) != 0xFF) {
        return NORMAL;
      }
      int marker = b[p + 1] & 0xFF;
      if (marker == 0xFF) { // fill byte
        p++;
        continue;
      }
      if (marker == 0xD9 || marker == 0xDA) { // EOI, SOS: no metadata after this
        return NORMAL;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // standalone markers
        p += 2;
        continue;
      }
      int length = u16(b, p + 2, false);
      int data = p + 4;
      int end = Math.min(p + 2 + length, b.length);
      if (marker == 0xE1 && end - data >= 6 + 8
          && new String(b, data, 6, StandardCharsets.ISO_8859_1).equals("Exif\0\0")) {
        return fromTiff(b, data + 6, end);
      }
      p += 2 + length;
    }
    return NORMAL;
  }

  private static int fromPng(byte[] b) {
    int p = 8;
    while (p + 8 <= b.length) {
      long length = u32(b, p, false);
      String type = new String(b, p + 4, 4, StandardCharsets.ISO_8859_1);
      int data = p + 8;
      if (length < 0 || data + length > b.length) {
        return NORMAL;
      }
      if (type.equals("eXIf")) {
        int start = data;
        if (length >= 6 && new String(b, data, 6, StandardCharsets.ISO_8859_1).equals("Exif\0\0")) {
          start += 6;
        }
        return fromTiff(b, start, (int) (data + length));
      }
      if (type.equals("IEND")) {
        return NORMAL;
      }
      p = (int) (data + length + 4);
    }
    return NORMAL;
  }

  /** Orientation from the first IFD of the TIFF structure at {@code b[start, end)}. */
  private static int fromTiff(byte[] b, int start, int end) {
    if (!isTiffHeader(b, start)) {
      return NORMAL;
    }
    boolean little = b[start] == 'I';
    long ifd = u32(b, start + 4, little);
    int p = (int) (start + ifd);
    if (ifd < 8 || p + 2 > end) {
      return NORMAL;
    }
    int entries = u16(b, p, little);
    for (int i = 0; i < entries; i++) {
      int e = p + 2 + i * 12;
      if (e + 12 > end) {
        return NORMAL;
      }
      if (u16(b, e, little) == TAG_ORIENTATION) {
        int type = u16(b, e + 2, little);
        return switch (type) {
          case 3 -> u16(b, e + 8, little); // SHORT
          case 4 -> (int) Math.min(u32(b, e + 8, little), Integer.MAX_VALUE); // LONG
          case 1 -> b[e + 8] & 0xFF; // BYTE
          default -> NORMAL;
        };
      }
    }
    return NORMAL;
  }

  private static int u16(byte[] b, int p, boolean little) {
    int b0 = b[p] & 0xFF;
    int b1 = b[p + 1] & 0xFF;
    return little ? (b1 << 8) | b0 : (b0 << 8) | b1;
  }

  private static long u32(byte[] b, int p, boolean little) {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      int shift = little ? 8 * i : 8 * (3 - i);
      v |= (long) (b[p + i] & 0xFF) << shift;
    }
    return v;
  }
}
