package dev.clipserve.server.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal NumPy {@code .npy} reader for golden files (test code): version 1.x/2.x headers,
 * C order, little-endian {@code <f4}, {@code <i8} or {@code |u1}.
 *
 * @param dtype the header's descr, e.g. {@code <f4}
 * @param shape the array shape
 * @param data the raw little-endian payload
 */
public record Npy(String dtype, int[] shape, ByteBuffer data) {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  public static Npy read(Path path) throws IOException {
    return parse(Files.readAllBytes(path));
  }

  public static Npy parse(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10 || (bytes[0] & 0xFF) != 0x93 || bytes[1] != 'N' || bytes[2] != 'U') {
      throw new IllegalArgumentException("not a .npy file");
    }
    int major = bytes[6];
    int headerLength;
    int start;
    if (major == 1) {
      headerLength = b.getShort(8) & 0xFFFF;
      start = 10;
    } else {
      headerLength = b.getInt(8);
      start = 12;
    }
    String header = new String(bytes, start, headerLength, StandardCharsets.ISO_8859_1);
    Matcher descr = DESCR.matcher(header);
    Matcher fortran = FORTRAN.matcher(header);
    Matcher shape = SHAPE.matcher(header);
    if (!descr.find() || !fortran.find() || !shape.find()) {
      throw new IllegalArgumentException("bad .npy header: " + header);
    }
    if (fortran.group(1).equals("True")) {
      throw new IllegalArgumentException("Fortran-order arrays are not supported");
    }
    int[] dims =
        Arrays.stream(shape.group(1).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .mapToInt(Integer::parseInt)
            .toArray();
    ByteBuffer data =
        ByteBuffer.wrap(bytes, start + headerLength, bytes.length - start - headerLength)
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    return new Npy(descr.group(1), dims, data);
  }

  public long count() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  public float[] floats() {
    require("<f4");
    float[] out = new float[(int) count()];
    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  public long[] longs() {
    require("<i8");
    long[] out = new long[(int) count()];
    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    return out;
  }

  public byte[] bytes() {
    if (!dtype.equals("|u1") && !dtype.equals("|i1")) {
      throw new IllegalStateException("dtype " + dtype + ", expected |u1");
    }
    byte[] out = new byte[(int) count()];
    data.duplicate().get(out);
    return out;
  }

  private void require(String expected) {
    if (!dtype.equals(expected)) {
      throw new IllegalStateException("dtype " + dtype + ", expected " + expected);
    }
  }
}
