package dev.clipserve.loadtest.workload;

import com.google.protobuf.ByteString;
import dev.clipserve.api.v1.Image;
import dev.clipserve.api.v1.RawImage;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * The images a load test sends, prepared up front (encoding and decoding are not part of what is
 * measured on the client side). Immutable after construction; safe to share between threads.
 */
public final class ImageCorpus {
  /** How images travel in EncodeImages requests. */
  public enum Format {
    /** PNG/JPEG bytes: the server decodes them. */
    ENCODED,
    /** RGB uint8 HWC tensors: the server skips decoding. */
    RAW
  }

  private final List<Image> images;

  private ImageCorpus(List<Image> images) {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no images");
    }
    this.images = List.copyOf(images);
  }

  /** The prepared images; callers cycle through them. */
  public List<Image> images() {
    return images;
  }

  /** Image {@code i} modulo the corpus size. */
  public Image get(long i) {
    return images.get((int) Math.floorMod(i, (long) images.size()));
  }

  /** Reads image files (anything ImageIO decodes) and prepares them in {@code format}. */
  public static ImageCorpus fromFiles(List<Path> files, Format format) {
    List<Image> out = new ArrayList<>();
    for (Path f : files) {
      try {
        byte[] bytes = Files.readAllBytes(f);
        if (format == Format.ENCODED) {
          out.add(Image.newBuilder().setEncoded(ByteString.copyFrom(bytes)).build());
        } else {
          BufferedImage img = ImageIO.read(f.toFile());
          if (img == null) {
            throw new IOException("not a decodable image: " + f);
          }
          out.add(raw(img));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ImageCorpus(out);
  }

  /**
   * Draws {@code count} deterministic pictures (colored shapes, some with a word) of
   * {@code size} x {@code size} pixels, for when no image folder is given.
   */
  public static ImageCorpus synthetic(int count, int size, Format format, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Image> out = new ArrayList<>();
    String[] words = {"cat", "fish", "star", "sale", "hello"};
    for (int i = 0; i < count; i++) {
      BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = img.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(new Color(200 + random.nextInt(56), 200 + random.nextInt(56),
          200 + random.nextInt(56)));
      g.fillRect(0, 0, size, size);
      g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
      int s = size / 3 + random.nextInt(size / 2);
      int x = random.nextInt(size - s + 1);
      int y = random.nextInt(size - s + 1);
      if (random.nextBoolean()) {
        g.fillOval(x, y, s, s);
      } else {
        g.fillRect(x, y, s, s);
      }
      if (random.nextInt(3) == 0) {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(2));
        g.setFont(g.getFont().deriveFont(size / 5f));
        g.drawString(words[random.nextInt(words.length)], size / 10, size - size / 8);
      }
      g.dispose();
      out.add(format == Format.RAW ? raw(img) : png(img));
    }
    return new ImageCorpus(out);
  }

  static Image png(BufferedImage img) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Image.newBuilder().setEncoded(ByteString.copyFrom(bytes.toByteArray())).build();
  }

  /** Converts any BufferedImage to an RGB HWC raw image. */
  public static Image raw(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] rgb = new byte[w * h * 3];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        int o = (y * w + x) * 3;
        rgb[o] = (byte) (p >> 16);
        rgb[o + 1] = (byte) (p >> 8);
        rgb[o + 2] = (byte) p;
      }
    }
    return Image.newBuilder()
        .setRaw(RawImage.newBuilder().setHeight(h).setWidth(w).setRgb(ByteString.copyFrom(rgb)))
        .build();
  }
}
