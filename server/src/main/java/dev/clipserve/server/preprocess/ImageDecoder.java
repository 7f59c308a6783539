package dev.clipserve.server.preprocess;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes encoded bytes (any format an installed ImageIO reader handles: PNG, JPEG, GIF, BMP, TIFF,
 * ...) into 8-bit RGB the way Pillow's {@code convert("RGB")} does: grayscale replicated, palette
 * looked up, alpha dropped (not composited), 16-bit samples reduced to their high byte. The header
 * is read first and images declaring more than {@code maxPixels} pixels are refused before any
 * pixel memory is allocated. Thread-safe (a new ImageIO reader per call); no temp files.
 */
final class ImageDecoder {
  private final long maxPixels;

  ImageDecoder(long maxPixels) {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  /**
   * Decodes the first image (first frame) of {@code encoded}, without EXIF orientation.
   *
   * @throws InvalidImageException empty, unrecognized, truncated, corrupt, over the pixel limit,
   *     or an unsupported colour space (e.g. CMYK)
   */
  RgbImage decode(byte[] encoded) {
    if (encoded == null || encoded.length == 0) {
      throw new InvalidImageException("empty image (0 bytes)");
    }
    ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded));
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new InvalidImageException(
          "not a decodable image (unrecognized format, " + encoded.length + " bytes)");
    }
    ImageReader reader = readers.next();
    String format = formatName(reader);
    try {
      reader.setInput(in, true, true);
      int width;
      int height;
      try {
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw undecodable(format, e);
      }
      if (width <= 0 || height <= 0) {
        throw new InvalidImageException(
            "not a decodable image (" + format + " header declares " + width + "x" + height + ")");
      }
      long pixels = (long) width * height;
      if (pixels > maxPixels) {
        throw new InvalidImageException(
            "image too large: " + format + " header declares " + width + "x" + height + " = "
                + pixels + " pixels, the limit is " + maxPixels);
      }
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      BufferedImage image;
      try {
        image = reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw undecodable(format, e);
      }
      for (String warning : warnings) {
        if (isTruncation(warning)) {
          throw new InvalidImageException(
              "not a decodable image (" + format + " truncated: " + warning + ")");
        }
      }
      return toRgb(image, format);
    } finally {
      reader.dispose();
      try {
        in.close();
      } catch (IOException ignored) {
        // in-memory stream
      }
    }
  }

  private static String formatName(ImageReader reader) {
    try {
      return reader.getFormatName().toUpperCase(Locale.ROOT);
    } catch (IOException e) {
      return "image";
    }
  }

  private static boolean isTruncation(String warning) {
    String w = warning.toLowerCase(Locale.ROOT);
    return w.contains("premature end") || w.contains("truncated") || w.contains("missing eoi");
  }

  private static InvalidImageException undecodable(String format, Exception e) {
    Throwable root = e;
    boolean truncated = false;
    while (root != null) {
      if (root instanceof EOFException) {
        truncated = true;
      }
      if (root.getCause() == null || root.getCause() == root) {
        break;
      }
      root = root.getCause();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (message.contains("Unsupported Image Type")) {
      return new InvalidImageException(
          "unsupported image: " + format + " colour space not supported (CMYK/YCCK JPEG?);"
              + " send it as RGB",
          e);
    }
    if (truncated) {
      return new InvalidImageException("not a decodable image (" + format + " truncated)", e);
    }
    return new InvalidImageException("not a decodable image (" + format + ": " + message + ")", e);
  }

  /** Pillow {@code convert("RGB")} semantics on the decoded raster (no colour management). */
  static RgbImage toRgb(BufferedImage image, String format) {
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    int[] row = new int[w];
    if (cm instanceof IndexColorModel icm) {
      int size = icm.getMapSize();
      byte[] r = new byte[size];
      byte[] g = new byte[size];
      byte[] b = new byte[size];
      icm.getReds(r);
      icm.getGreens(g);
      icm.getBlues(b);
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        int o = y * w * 3;
        for (int x = 0; x < w; x++) {
          int i = row[x];
          if (i >= size) {
            i = 0;
          }
          out[o++] = r[i];
          out[o++] = g[i];
          out[o++] = b[i];
        }
      }
      return new RgbImage(w, h, out);
    }
    int csType = cm.getColorSpace().getType();
    int colors = cm.getNumColorComponents();
    int[] bands;
    if (csType == ColorSpace.TYPE_RGB && colors == 3) {
      bands = new int[] {0, 1, 2};
    } else if (csType == ColorSpace.TYPE_GRAY && colors == 1) {
      bands = new int[] {0, 0, 0};
    } else {
      throw new InvalidImageException(
          "unsupported image: " + format + " with " + colors + " colour components in colour space"
              + " type " + csType + " (only RGB, grayscale and palette images are supported)");
    }
    for (int c = 0; c < 3; c++) {
      int band = bands[c];
      int bits = raster.getSampleModel().getSampleSize(band);
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, band, row);
        int o = y * w * 3 + c;
        for (int x = 0; x < w; x++, o += 3) {
          out[o] = (byte) to8Bit(row[x], bits);
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static int to8Bit(int v, int bits) {
    if (bits == 8) {
      return v;
    }
    if (bits > 8) {
      return v >>> (bits - 8); // 16-bit: the high byte, as Pillow keeps it
    }
    return v * 255 / ((1 << bits) - 1);
  }
}
