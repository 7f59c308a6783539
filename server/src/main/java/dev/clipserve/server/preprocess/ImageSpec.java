package dev.clipserve.server.preprocess;

import java.util.Arrays;

/**
 * Image preprocessing parameters of one image model (the manifest's {@code image} block).
 *
 * @param size side of the square model input in pixels: the shortest side is resized to it, then
 *     the image is center-cropped to {@code size x size}; must be positive
 * @param mean per-channel (R, G, B) mean subtracted after scaling pixels to [0, 1]; 3 finite values
 * @param std per-channel (R, G, B) standard deviation divided by; 3 finite positive values
 */
public record ImageSpec(int size, float[] mean, float[] std) {

  /** Validates and defensively copies the arrays. */
  public ImageSpec {
    if (size <= 0) {
      throw new IllegalArgumentException("size must be positive, got " + size);
    }
    if (mean == null || mean.length != 3) {
      throw new IllegalArgumentException("mean must have 3 values (R, G, B)");
    }
    if (std == null || std.length != 3) {
      throw new IllegalArgumentException("std must have 3 values (R, G, B)");
    }
    for (int c = 0; c < 3; c++) {
      if (!Float.isFinite(mean[c])) {
        throw new IllegalArgumentException("mean[" + c + "] must be finite, got " + mean[c]);
      }
      if (!(std[c] > 0) || !Float.isFinite(std[c])) {
        throw new IllegalArgumentException("std[" + c + "] must be finite and > 0, got " + std[c]);
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** A copy of the per-channel means. */
  @Override
  public float[] mean() {
    return mean.clone();
  }

  /** A copy of the per-channel standard deviations. */
  @Override
  public float[] std() {
    return std.clone();
  }

  /** Floats in one preprocessed image: {@code 3 * size * size}. */
  public int floatsPerImage() {
    return 3 * size * size;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageSpec other
        && size == other.size
        && Arrays.equals(mean, other.mean)
        && Arrays.equals(std, other.std);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * size + Arrays.hashCode(mean)) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "ImageSpec[size=" + size + ", mean=" + Arrays.toString(mean) + ", std="
        + Arrays.toString(std) + "]";
  }
}
