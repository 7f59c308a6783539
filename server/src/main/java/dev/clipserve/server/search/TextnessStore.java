package dev.clipserve.server.search;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The current {@link TextnessVector} of each embedding space, versioned and persisted.
 *
 * <p>At construction it reads the shipped vectors ({@code <shippedDir>/<space>.json}, usually
 * {@code models/textness/}; other files such as {@code <space>.student.json} are ignored) and the
 * trained ones ({@code <dataDir>/<space>.v<N>.json}); per space the highest vector version wins (a
 * trained vector beats a shipped one of the same version). File format: docs/model-repository.md,
 * "Textness vectors": {@code "version"} is the <em>format</em> version (1; other values are refused);
 * the vector's own version is {@code "vector_version"} (absent in shipped files: 1). {@link
 * #publish} writes the next version atomically (temp file, fsync, rename, directory fsync) before it
 * becomes current, so a crash leaves either the old or the new version, never a torn file.
 *
 * <p>Thread-safe: {@link #current} is lock-free; publishes of one space are serialized.
 */
public final class TextnessStore {
  private static final Gson GSON = new GsonBuilder()
      .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
      .setPrettyPrinting()
      .serializeSpecialFloatingPointValues()
      .create();
  /** The file format version this class reads and writes. */
  public static final int FORMAT_VERSION = 1;
  private static final Pattern TRAINED_FILE = Pattern.compile("(.+)\\.v(\\d+)\\.json");

  private final Path dataDir;
  private final Map<String, TextnessVector> current = new ConcurrentHashMap<>();

  /**
   * @param shippedDir folder of shipped vectors (may be null or missing: none shipped)
   * @param dataDir folder for trained vectors (created on first publish)
   * @throws UncheckedIOException / IllegalArgumentException naming the file if a vector file is
   *     unreadable or invalid
   */
  public TextnessStore(Path shippedDir, Path dataDir) {
    this.dataDir = dataDir;
    if (shippedDir != null && Files.isDirectory(shippedDir)) {
      forEachJson(shippedDir, p -> {
        // <space>.json only: <space>.student.json etc. are for comparison, not for serving.
        String name = p.getFileName().toString();
        if (!TRAINED_FILE.matcher(name).matches()) {
          TextnessVector v = read(p);
          if (name.equals(v.embeddingSpace() + ".json")) {
            offer(v);
          }
        }
      });
    }
    if (Files.isDirectory(dataDir)) {
      forEachJson(dataDir, p -> {
        if (TRAINED_FILE.matcher(p.getFileName().toString()).matches()) {
          offer(read(p));
        }
      });
    }
  }

  private void offer(TextnessVector v) {
    current.merge(v.embeddingSpace(), v, (old, neu) -> neu.version() >= old.version() ? neu : old);
  }

  private static void forEachJson(Path dir, java.util.function.Consumer<Path> action) {
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(action);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The vector in use for {@code space}, if any. */
  public Optional<TextnessVector> current(String space) {
    return Optional.ofNullable(current.get(space));
  }

  /**
   * Stores {@code rawWeight} (scaled to unit norm) as the next version of {@code space} and makes it
   * current. Durable on return.
   */
  public TextnessVector publish(String space, float[] rawWeight, String trainedOn, Double trainAccuracy,
      Double valAccuracy) throws IOException {
    synchronized (lockFor(space)) {
      int next = current(space).map(v -> v.version() + 1).orElse(1);
      TextnessVector v = TextnessVector.fromRaw(space, next, rawWeight, trainedOn, trainAccuracy, valAccuracy);
      Files.createDirectories(dataDir);
      writeAtomically(dataDir.resolve(space + ".v" + next + ".json"), toJson(v));
      current.put(space, v);
      return v;
    }
  }

  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  private Object lockFor(String space) {
    return locks.computeIfAbsent(space, s -> new Object());
  }

  static void writeAtomically(Path target, String content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some platforms cannot fsync a directory; the rename itself is still atomic.
    }
  }

  /** Reads one vector file; accepts a raw (non-unit) vector and normalizes it. */
  static TextnessVector read(Path file) {
    try {
      Json j = GSON.fromJson(Files.readString(file), Json.class);
      if (j == null || j.embeddingSpace == null || j.vector == null || j.version == null) {
        throw new IllegalArgumentException("needs embedding_space, version and vector");
      }
      if (j.version != FORMAT_VERSION) {
        throw new IllegalArgumentException("format version " + j.version + " is not supported (only "
            + FORMAT_VERSION + ")");
      }
      if (j.dimension != null && j.dimension != j.vector.length) {
        throw new IllegalArgumentException("dimension " + j.dimension + " but the vector has " + j.vector.length);
      }
      double n = VectorMath.norm(j.vector);
      double raw = j.rawNorm != null ? j.rawNorm : n;
      String trainedOn = j.model != null ? j.model : j.trainedOn == null ? "unknown" : j.trainedOn;
      Double val = j.valAccuracy != null ? j.valAccuracy : j.accuracy;
      return new TextnessVector(j.embeddingSpace, j.vectorVersion == null ? 1 : j.vectorVersion,
          VectorMath.normalized(j.vector), 1.0, raw, trainedOn, j.trainAccuracy, val);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read textness vector " + file, e);
    } catch (JsonParseException | IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid textness vector " + file + ": " + e.getMessage(), e);
    }
  }

  static String toJson(TextnessVector v) {
    Json j = new Json();
    j.embeddingSpace = v.embeddingSpace();
    j.version = FORMAT_VERSION;
    j.vectorVersion = v.version();
    j.dimension = v.dimension();
    j.model = v.trainedOn();
    j.vector = v.vector();
    j.norm = v.norm();
    j.rawNorm = v.rawNorm();
    j.trainedOn = v.trainedOn();
    j.trainAccuracy = v.trainAccuracy();
    j.valAccuracy = v.valAccuracy();
    return GSON.toJson(j);
  }

  /** The file format (snake_case on disk). */
  @SuppressWarnings("unused")
  private static final class Json {
    String embeddingSpace;
    Integer version;
    Integer vectorVersion;
    Integer dimension;
    float[] vector;
    Double norm;
    Double rawNorm;
    String trainedOn;
    String model;
    Double accuracy;
    Double trainAccuracy;
    Double valAccuracy;
  }
}
