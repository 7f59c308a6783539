package dev.clipserve.server.preprocess;

/**
 * Pillow's {@code Image.resize(..., BICUBIC)} for 8-bit RGB, bit for bit: a port of {@code
 * ImagingResample} in Pillow's {@code src/libImaging/Resample.c} (cubic kernel a = -0.5, support 2
 * scaled by the downscale factor so downscaling antialiases, coefficients normalized to sum 1 and
 * rounded to fixed point with 22 fractional bits, horizontal pass into an 8-bit image, then the
 * vertical pass; a pass is skipped when that dimension is unchanged).
 *
 * <p>Each output pixel depends only on its own coefficients, so computing just a window of the
 * result (the center crop) gives exactly the pixels Pillow's full resize followed by a crop gives.
 * Stateless and thread-safe.
 */
final class BicubicResampler {
  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final double SUPPORT = 2.0;

  private BicubicResampler() {}

  /**
   * Resizes {@code in} to {@code outWidth x outHeight} and returns the window {@code [left, left +
   * cropWidth) x [top, top + cropHeight)} of the result.
   */
  static RgbImage resizeAndCrop(
      RgbImage in, int outWidth, int outHeight, int left, int top, int cropWidth, int cropHeight) {
    if (left < 0 || top < 0 || left + cropWidth > outWidth || top + cropHeight > outHeight) {
      throw new IllegalArgumentException("crop window outside the resized image");
    }
    boolean needHorizontal = outWidth != in.width();
    boolean needVertical = outHeight != in.height();

    // Source rows the vertical pass reads (all crop rows when there is no vertical pass).
    Coefficients vert = null;
    int firstRow;
    int lastRow;
    if (needVertical) {
      vert = Coefficients.compute(in.height(), outHeight, top, cropHeight);
      firstRow = vert.firstSource();
      lastRow = vert.endSource();
    } else {
      firstRow = top;
      lastRow = top + cropHeight;
    }

    // Horizontal pass: rows [firstRow, lastRow) of the source, columns of the crop window.
    int rows = lastRow - firstRow;
    byte[] horizontal = new byte[rows * cropWidth * 3];
    byte[] src = in.pixels();
    int inRowBytes = in.width() * 3;
    if (needHorizontal) {
      Coefficients horiz = Coefficients.compute(in.width(), outWidth, left, cropWidth);
      for (int y = 0; y < rows; y++) {
        int rowBase = (y + firstRow) * inRowBytes;
        int outBase = y * cropWidth * 3;
        for (int xx = 0; xx < cropWidth; xx++) {
          int min = horiz.min[xx];
          int count = horiz.count[xx];
          int kBase = xx * horiz.ksize;
          int s0 = 1 << (PRECISION_BITS - 1);
          int s1 = s0;
          int s2 = s0;
          for (int x = 0; x < count; x++) {
            int k = horiz.k[kBase + x];
            int p = rowBase + (x + min) * 3;
            s0 += (src[p] & 0xFF) * k;
            s1 += (src[p + 1] & 0xFF) * k;
            s2 += (src[p + 2] & 0xFF) * k;
          }
          int o = outBase + xx * 3;
          horizontal[o] = clip8(s0);
          horizontal[o + 1] = clip8(s1);
          horizontal[o + 2] = clip8(s2);
        }
      }
    } else {
      for (int y = 0; y < rows; y++) {
        System.arraycopy(
            src, (y + firstRow) * inRowBytes + left * 3, horizontal, y * cropWidth * 3, cropWidth * 3);
      }
    }
    if (!needVertical) {
      return new RgbImage(cropWidth, cropHeight, horizontal);
    }

    // Vertical pass over the horizontally resampled rows.
    byte[] out = new byte[cropHeight * cropWidth * 3];
    int rowBytes = cropWidth * 3;
    for (int yy = 0; yy < cropHeight; yy++) {
      int min = vert.min[yy] - firstRow;
      int count = vert.count[yy];
      int kBase = yy * vert.ksize;
      int outBase = yy * rowBytes;
      for (int i = 0; i < rowBytes; i++) {
        int s = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < count; y++) {
          s += (horizontal[(y + min) * rowBytes + i] & 0xFF) * vert.k[kBase + y];
        }
        out[outBase + i] = clip8(s);
      }
    }
    return new RgbImage(cropWidth, cropHeight, out);
  }

  private static byte clip8(int sum) {
    int v = sum >> PRECISION_BITS;
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }

  /** Pillow's bicubic_filter, same operation order (a = -0.5). */
  static double bicubic(double x) {
    final double a = -0.5;
    if (x < 0.0) {
      x = -x;
    }
    if (x < 1.0) {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0.0;
  }

  /**
   * Fixed-point filter taps of output positions {@code [first, first + n)} for one axis (Pillow's
   * precompute_coeffs + normalize_coeffs_8bpc, box = the whole input).
   */
  private static final class Coefficients {
    final int ksize;
    final int[] min;
    final int[] count;
    final int[] k;

    private Coefficients(int ksize, int n) {
      this.ksize = ksize;
      this.min = new int[n];
      this.count = new int[n];
      this.k = new int[n * ksize];
    }

    static Coefficients compute(int inSize, int outSize, int first, int n) {
      float in0 = 0f;
      float in1 = inSize;
      double scale = (double) (in1 - in0) / outSize;
      double filterscale = Math.max(scale, 1.0);
      double support = SUPPORT * filterscale;
      int ksize = (int) Math.ceil(support) * 2 + 1;
      Coefficients c = new Coefficients(ksize, n);
      double[] w = new double[ksize];
      for (int i = 0; i < n; i++) {
        int xx = first + i;
        double center = in0 + (xx + 0.5) * scale;
        double ww = 0.0;
        double ss = 1.0 / filterscale;
        int xmin = (int) (center - support + 0.5);
        if (xmin < 0) {
          xmin = 0;
        }
        int xmax = (int) (center + support + 0.5);
        if (xmax > inSize) {
          xmax = inSize;
        }
        xmax -= xmin;
        for (int x = 0; x < xmax; x++) {
          double v = bicubic((x + xmin - center + 0.5) * ss);
          w[x] = v;
          ww += v;
        }
        for (int x = 0; x < xmax; x++) {
          double v = ww != 0.0 ? w[x] / ww : w[x];
          c.k[i * ksize + x] =
              v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
        }
        c.min[i] = xmin;
        c.count[i] = xmax;
      }
      return c;
    }

    int firstSource() {
      int lo = Integer.MAX_VALUE;
      for (int m : min) {
        lo = Math.min(lo, m);
      }
      return lo;
    }

    int endSource() {
      int hi = 0;
      for (int i = 0; i < min.length; i++) {
        hi = Math.max(hi, min[i] + count[i]);
      }
      return hi;
    }
  }
}
