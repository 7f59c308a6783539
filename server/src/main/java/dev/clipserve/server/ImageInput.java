package dev.clipserve.server;

/** One requested image, as the transport delivered it. */
public sealed interface ImageInput permits ImageInput.Encoded, ImageInput.Raw {

  /** A complete image file (PNG, JPEG, ...). */
  record Encoded(byte[] bytes) implements ImageInput {}

  /**
   * RGB uint8 pixels, row-major HWC.
   *
   * @param height rows as sent (unsigned in the proto, so kept as a long)
   * @param width columns as sent
   * @param rgb exactly {@code height * width * 3} bytes when valid
   */
  record Raw(long height, long width, byte[] rgb) implements ImageInput {}
}
