package dev.clipserve.server.preprocess;

/**
 * 8-bit RGB pixels, row-major HWC ({@code pixels[(y * width + x) * 3 + c]}). Package-private
 * working value of the pipeline; the array is owned by whoever holds the record.
 */
record RgbImage(int width, int height, byte[] pixels) {
  RgbImage {
    if ((long) width * height * 3 != pixels.length) {
      throw new IllegalArgumentException(
          "pixels has " + pixels.length + " bytes, expected " + width + "x" + height + "x3");
    }
  }
}
