package dev.clipserve.server.preprocess;

/**
 * Turns one image into the model input of an image model: decode, EXIF orientation, 8-bit RGB,
 * resize the shortest side to {@link ImageSpec#size()} with Pillow's bicubic resampler, center crop
 * to {@code size x size}, scale to [0, 1], normalize with the spec's mean/std, CHW float32. It
 * reproduces {@code clipserve_distill.preprocess} (PIL + torchvision) exactly for PNG input; see
 * {@code docs/preprocessing.md} for the tolerance and for which inputs are converted or refused.
 *
 * <p>Thread-safe and stateless: one instance can serve all threads. Each call allocates only the
 * decoded image and working buffers proportional to it. An image whose shortest side already is
 * {@code size} (a 224x224 raw tensor for a 224 model) is not resampled at all, as in Pillow, whose
 * {@code resize} to the same size is a copy: its crop window is normalized straight from the input
 * pixels, with no intermediate array.
 */
public final class ImagePreprocessor {
  /** Longest resized side accepted (keeps index arithmetic far from int overflow). */
  private static final int MAX_RESIZED_SIDE = 1 << 28;

  private final ImageSpec spec;
  private final long maxPixels;
  private final ImageDecoder decoder;
  /** {@code lut[c * 256 + v]} = {@code (v / 255f - mean[c]) / std[c]}, the exact float ops. */
  private final float[] lut;

  /**
   * @param spec the model's preprocessing parameters
   * @param maxPixels largest accepted width x height (as declared by an encoded image's header, or
   *     given for a raw image); larger images are refused before their pixels are allocated
   */
  public ImagePreprocessor(ImageSpec spec, long maxPixels) {
    if (spec == null) {
      throw new IllegalArgumentException("spec is required");
    }
    this.spec = spec;
    this.maxPixels = maxPixels;
    this.decoder = new ImageDecoder(maxPixels);
    this.lut = normalizationTable(spec.mean(), spec.std());
  }

  public ImageSpec spec() {
    return spec;
  }

  /** Floats written per image: {@code 3 * size * size}. */
  public int floatsPerImage() {
    return spec.floatsPerImage();
  }

  /**
   * Decodes {@code encoded} and writes its model input to {@code out[offset, offset +
   * floatsPerImage())} as CHW float32 (R plane, G plane, B plane).
   *
   * @throws InvalidImageException empty, undecodable, truncated, over the pixel limit, or an
   *     unsupported pixel format; the message names no request field
   * @throws IndexOutOfBoundsException if {@code out} is too short for {@code offset}
   */
  public void preprocessEncoded(byte[] encoded, float[] out, int offset) {
    checkOut(out, offset);
    RgbImage image = decoder.decode(encoded);
    image = ExifOrientation.apply(image, ExifOrientation.read(encoded));
    resizeCropNormalize(image, out, offset);
  }

  /**
   * Preprocesses raw pixels: 8-bit RGB, row-major HWC ({@code rgb[(y * width + x) * 3 + c]}).
   *
   * @throws InvalidImageException if a dimension is not positive, {@code height * width} exceeds
   *     the pixel limit, or {@code rgb.length != height * width * 3}
   */
  public void preprocessRaw(int height, int width, byte[] rgb, float[] out, int offset) {
    checkOut(out, offset);
    if (height <= 0 || width <= 0) {
      throw new InvalidImageException(
          "raw image shape must be positive, got height " + height + ", width " + width);
    }
    long pixels = (long) height * width;
    if (pixels > maxPixels) {
      throw new InvalidImageException(
          "image too large: " + height + "x" + width + " = " + pixels + " pixels, the limit is "
              + maxPixels);
    }
    long expected = pixels * 3;
    int actual = rgb == null ? 0 : rgb.length;
    if (actual != expected) {
      throw new InvalidImageException(
          "raw image has " + actual + " bytes, expected height x width x 3 = " + height + " x "
              + width + " x 3 = " + expected);
    }
    resizeCropNormalize(new RgbImage(width, height, rgb), out, offset);
  }

  private void checkOut(float[] out, int offset) {
    if (offset < 0 || out.length - offset < floatsPerImage()) {
      throw new IndexOutOfBoundsException(
          "out has " + out.length + " floats, need " + floatsPerImage() + " at offset " + offset);
    }
  }

  private void resizeCropNormalize(RgbImage image, float[] out, int offset) {
    int size = spec.size();
    int w = image.width();
    int h = image.height();
    int newW;
    int newH;
    // torchvision Resize(size): shortest side to size, long side int(size * long / short).
    if (w <= h) {
      newW = size;
      newH = (int) Math.min((double) ((long) size * h) / w, Integer.MAX_VALUE);
    } else {
      newH = size;
      newW = (int) Math.min((double) ((long) size * w) / h, Integer.MAX_VALUE);
    }
    if (newW > MAX_RESIZED_SIDE || newH > MAX_RESIZED_SIDE) {
      throw new InvalidImageException(
          "image aspect ratio too extreme: " + w + "x" + h + " would resize to " + newW + "x" + newH);
    }
    // torchvision CenterCrop: Python round(), half to even.
    int top = (int) Math.rint((newH - size) / 2.0);
    int left = (int) Math.rint((newW - size) / 2.0);
    if (newW == w && newH == h) {
      // Pillow's resize to the same size is a copy: the crop window of the input, as is.
      normalize(image.pixels(), w, left, top, out, offset);
      return;
    }
    RgbImage cropped = BicubicResampler.resizeAndCrop(image, newW, newH, left, top, size, size);
    normalize(cropped.pixels(), size, 0, 0, out, offset);
  }

  /**
   * Writes the {@code size x size} window at ({@code left}, {@code top}) of an HWC image {@code
   * width} pixels wide as normalized CHW floats (one table lookup per value; bit-identical to
   * computing {@code (v / 255f - mean) / std}).
   */
  private void normalize(byte[] hwc, int width, int left, int top, float[] out, int offset) {
    int size = spec.size();
    int plane = size * size;
    int r = offset;
    int g = offset + plane;
    int b = offset + 2 * plane;
    float[] t = lut;
    for (int y = 0; y < size; y++) {
      int p = ((top + y) * width + left) * 3;
      for (int x = 0; x < size; x++, p += 3) {
        out[r++] = t[hwc[p] & 0xFF];
        out[g++] = t[256 + (hwc[p + 1] & 0xFF)];
        out[b++] = t[512 + (hwc[p + 2] & 0xFF)];
      }
    }
  }

  private static float[] normalizationTable(float[] mean, float[] std) {
    float[] t = new float[3 * 256];
    for (int c = 0; c < 3; c++) {
      float m = mean[c];
      float s = std[c];
      for (int v = 0; v < 256; v++) {
        float x = v / 255f;
        t[c * 256 + v] = (x - m) / s;
      }
    }
    return t;
  }
}
