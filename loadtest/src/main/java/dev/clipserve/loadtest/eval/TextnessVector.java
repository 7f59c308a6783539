package dev.clipserve.loadtest.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a textness bias vector {@code b}: a {@code .npy} array ({@code <f4} or {@code <f8}, shape
 * {@code [D]}, or {@code [2, D]} whose last row, the positive class, is taken), a {@code .json}
 * file (an array, or an object with one of {@code textness_bias}, {@code bias}, {@code vector},
 * {@code weight} holding an array, or a {@code [2][D]} matrix), or raw little-endian float32.
 */
public final class TextnessVector {
  private static final List<String> JSON_KEYS =
      List.of("vector", "textness_bias", "bias", "weight", "weights");

  private TextnessVector() {}

  /** Loads the vector from {@code file}. */
  public static float[] load(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    byte[] bytes = Files.readAllBytes(file);
    if (name.endsWith(".npy")) {
      return npy(bytes, file);
    }
    if (name.endsWith(".json")) {
      return json(JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)), file);
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[bytes.length / 4];
    buf.asFloatBuffer().get(v);
    return v;
  }

  /** The first {@code .npy}, {@code .json} or {@code .bin} vector file under {@code dir}, if any. */
  public static Path find(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> s = Files.walk(dir, 3)) {
      List<Path> files = s.filter(Files::isRegularFile).sorted().toList();
      for (String ext : List.of(".npy", ".json", ".bin", ".f32")) {
        for (Path p : files) {
          String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
          if (n.endsWith(ext) && !n.contains("metric") && !n.contains("manifest")
              && !n.contains(".student.")) {
            return p;
          }
        }
      }
    }
    return null;
  }

  private static float[] json(JsonElement e, Path file) {
    if (e.isJsonArray()) {
      JsonArray a = e.getAsJsonArray();
      if (a.size() > 0 && a.get(0).isJsonArray()) {
        a = a.get(a.size() - 1).getAsJsonArray();
      }
      float[] v = new float[a.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = a.get(i).getAsFloat();
      }
      return v;
    }
    if (e.isJsonObject()) {
      JsonObject o = e.getAsJsonObject();
      for (String k : JSON_KEYS) {
        if (o.has(k) && o.get(k).isJsonArray()) {
          return json(o.get(k), file);
        }
      }
    }
    throw new IllegalArgumentException(file + ": no textness vector (array or one of "
        + JSON_KEYS + ")");
  }

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private static float[] npy(byte[] bytes, Path file) {
    if (bytes.length < 10 || bytes[0] != (byte) 0x93 || bytes[1] != 'N') {
      throw new IllegalArgumentException(file + ": not a .npy file");
    }
    int major = bytes[6];
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
    int dataStart = (major == 1 ? 10 : 12) + headerLen;
    String header = new String(bytes, major == 1 ? 10 : 12, headerLen, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !s.find() || header.contains("'fortran_order': True")) {
      throw new IllegalArgumentException(file + ": unsupported .npy header " + header.strip());
    }
    String[] dims = s.group(1).replace(" ", "").split(",");
    int last = Integer.parseInt(dims[dims.length - 1].isEmpty()
        ? dims[dims.length - 2] : dims[dims.length - 1]);
    int count = (bytes.length - dataStart) / (d.group(1).endsWith("8") ? 8 : 4);
    int offset = count - last; // the last row of a [2, D] (or any [.., D]) array
    float[] v = new float[last];
    buf.position(dataStart);
    for (int i = 0; i < last; i++) {
      v[i] = switch (d.group(1)) {
        case "<f4" -> buf.getFloat(dataStart + 4 * (offset + i));
        case "<f8" -> (float) buf.getDouble(dataStart + 8 * (offset + i));
        default -> throw new IllegalArgumentException(file + ": dtype " + d.group(1)
            + " (want <f4 or <f8)");
      };
    }
    return v;
  }
}
