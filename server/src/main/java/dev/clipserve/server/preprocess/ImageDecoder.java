package dev.clipserve.server.preprocess;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
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
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes encoded bytes (any format an installed ImageIO reader handles: PNG, JPEG, GIF, BMP, TIFF,
 * ...) into 8-bit RGB the way Pillow's {@code convert("RGB")} does: grayscale replicated, palette
 * looked up, alpha dropped (not composited), 16-bit samples reduced to their high byte, CMYK by
 * Pillow's cmyk2rgb, embedded ICC profiles ignored. The header
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
   *     or an unsupported colour space (e.g. Lab, or CMYK JPEG with an ICC profile)
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
        image = reader.read(0, withoutColorManagement(reader, width, height));
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

  /**
   * Read parameters that keep the decoded samples as stored. The JDK's JPEG reader converts images
   * with an embedded non-sRGB ICC profile to sRGB unless the destination uses the profile's own
   * colour space; Pillow never applies profiles, so we give it such a destination.
   */
  private static ImageReadParam withoutColorManagement(ImageReader reader, int width, int height)
      throws IOException {
    ImageReadParam param = reader.getDefaultReadParam();
    if (!"jpeg".equalsIgnoreCase(reader.getFormatName())) {
      return param;
    }
    Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
    while (types.hasNext()) {
      ImageTypeSpecifier type = types.next();
      ColorSpace cs = type.getColorModel().getColorSpace();
      if (cs instanceof ICC_ColorSpace
          && cs.getType() == ColorSpace.TYPE_RGB
          && !cs.isCS_sRGB()
          && type.getNumBands() == 3) {
        param.setDestination(type.createBufferedImage(width, height));
        break;
      }
    }
    return param;
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
          "unsupported image: " + format + " colour space not supported by the decoder"
              + " (e.g. a CMYK JPEG with an embedded ICC profile);"
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
    if (csType == ColorSpace.TYPE_CMYK && colors == 4) {
      return cmykToRgb(raster, w, h, out);
    }
    int[] bands;
    if (csType == ColorSpace.TYPE_RGB && colors == 3) {
      bands = new int[] {0, 1, 2};
    } else if (csType == ColorSpace.TYPE_GRAY && colors == 1) {
      bands = new int[] {0, 0, 0};
    } else {
      throw new InvalidImageException(
          "unsupported image: " + format + " with " + colors + " colour components in colour space"
              + " type " + csType + " (RGB, grayscale, palette and CMYK images are supported)");
    }
    if (copyBytes(raster, bands, out)) {
      return new RgbImage(w, h, out);
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

  /** Fast path for 8-bit interleaved byte rasters (most PNG/JPEG decodes); false if not one. */
  private static boolean copyBytes(Raster raster, int[] bands, byte[] out) {
    if (!(raster.getDataBuffer() instanceof DataBufferByte buffer)
        || !(raster.getSampleModel() instanceof ComponentSampleModel sm)
        || buffer.getNumBanks() != 1
        || raster.getSampleModelTranslateX() != 0
        || raster.getSampleModelTranslateY() != 0) {
      return false;
    }
    for (int band : bands) {
      if (sm.getSampleSize(band) != 8 || sm.getBankIndices()[band] != 0) {
        return false;
      }
    }
    byte[] data = buffer.getData();
    int base = buffer.getOffset();
    int pixelStride = sm.getPixelStride();
    int scanline = sm.getScanlineStride();
    int[] offsets = sm.getBandOffsets();
    int r = offsets[bands[0]];
    int g = offsets[bands[1]];
    int b = offsets[bands[2]];
    int w = raster.getWidth();
    int h = raster.getHeight();
    int o = 0;
    for (int y = 0; y < h; y++) {
      int p = base + y * scanline;
      for (int x = 0; x < w; x++, p += pixelStride) {
        out[o++] = data[p + r];
        out[o++] = data[p + g];
        out[o++] = data[p + b];
      }
    }
    return true;
  }

  /** Pillow's cmyk2rgb: {@code nk = 255 - k; out = clip8(nk - muldiv255(c, nk))}. */
  private static RgbImage cmykToRgb(Raster raster, int w, int h, byte[] out) {
    int[][] planes = new int[4][w];
    int[] bits = new int[4];
    for (int band = 0; band < 4; band++) {
      bits[band] = raster.getSampleModel().getSampleSize(band);
    }
    for (int y = 0; y < h; y++) {
      for (int band = 0; band < 4; band++) {
        raster.getSamples(0, y, w, 1, band, planes[band]);
      }
      int o = y * w * 3;
      for (int x = 0; x < w; x++) {
        int nk = 255 - to8Bit(planes[3][x], bits[3]);
        for (int c = 0; c < 3; c++) {
          int t = to8Bit(planes[c][x], bits[c]) * nk + 128;
          int v = nk - (((t >> 8) + t) >> 8);
          out[o++] = (byte) Math.max(0, Math.min(255, v));
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
