package dev.clipserve.server.search;

import dev.clipserve.server.LoadedModel;
import dev.clipserve.server.Modality;
import dev.clipserve.server.ModelRepository;
import dev.clipserve.server.Role;
import dev.clipserve.server.index.IndexConfig;
import dev.clipserve.server.index.VectorIndex;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SearchEngine} of every embedding space that has image models, opened from a loaded
 * {@link ModelRepository}: one Lucene index per space in {@code <indexDir>/<space>} with one vector
 * field per image model of the space, and one shared {@link TextnessStore} (shipped vectors from
 * {@code <models>/textness/}, trained ones in {@code <dataDir>/textness/}).
 *
 * <p>Immutable after {@link #open}; thread-safe. Owns the indexes: {@link #close} closes them.
 */
public final class SearchSpaces implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(SearchSpaces.class);

  /**
   * The models of one embedding space.
   *
   * @param imageModels image models of the space, sorted by name
   * @param textModel the teacher text model (the first text model if none is a teacher); null if the
   *     space has no text model (text queries are then refused)
   */
  public record Space(String name, SearchEngine engine, List<LoadedModel> imageModels, LoadedModel textModel) {
    /**
     * Resolves a search's {@code model}: "" and "teacher" = the teacher image model, "student" = the
     * student image model, else an image model's exact name.
     *
     * @throws SearchRequestException NOT_FOUND / INVALID_ARGUMENT naming {@code model}
     */
    public LoadedModel imageModel(String requested) {
      String r = requested == null || requested.isBlank() ? "teacher" : requested.trim();
      for (LoadedModel m : imageModels) {
        if (m.name().equals(r)) {
          return m;
        }
      }
      String lower = r.toLowerCase(Locale.ROOT);
      if (lower.equals("teacher") || lower.equals("student")) {
        Role role = lower.equals("teacher") ? Role.TEACHER : Role.STUDENT;
        for (LoadedModel m : imageModels) {
          if (m.role() == role) {
            return m;
          }
        }
      }
      throw new SearchRequestException(SearchRequestException.Kind.NOT_FOUND, "model",
          "no image model '" + r + "' in embedding space " + name + " (known: teacher, student, "
              + String.join(", ", imageModels.stream().map(LoadedModel::name).toList()) + ")");
    }
  }

  private final Map<String, Space> spaces;

  private SearchSpaces(Map<String, Space> spaces) {
    this.spaces = spaces;
  }

  /**
   * Opens (creating if needed) the index of every space with image models.
   *
   * @param indexConfig settings for every space; its directory is the parent of the per-space folders
   * @param textnessDataDir where trained textness vectors go
   */
  public static SearchSpaces open(ModelRepository repository, Path modelsDir, IndexConfig indexConfig,
      Path textnessDataDir, SearchEngine.Limits limits) throws IOException {
    Map<String, List<LoadedModel>> images = new TreeMap<>();
    Map<String, List<LoadedModel>> texts = new TreeMap<>();
    for (LoadedModel m : repository.models()) {
      String space = m.manifest().embeddingSpace();
      (m.modality() == Modality.IMAGE ? images : texts).computeIfAbsent(space, s -> new ArrayList<>()).add(m);
    }
    TextnessStore textness = new TextnessStore(modelsDir.resolve("textness"), textnessDataDir);
    Map<String, Space> spaces = new LinkedHashMap<>();
    try {
      for (var e : images.entrySet()) {
        String space = e.getKey();
        Map<String, Integer> dims = new LinkedHashMap<>();
        e.getValue().forEach(m -> dims.put(m.name(), m.manifest().dimension()));
        Path dir = indexConfig.directory().resolve(space);
        VectorIndex index = VectorIndex.open(
            new IndexConfig(dir, indexConfig.exactBelow(), indexConfig.hnswMaxConn(), indexConfig.hnswBeamWidth(),
                indexConfig.efSearch(), indexConfig.ramBufferMb(), indexConfig.mergeWorkers()), dims);
        LoadedModel text = texts.getOrDefault(space, List.of()).stream()
            .filter(m -> m.role() == Role.TEACHER).findFirst()
            .orElse(texts.getOrDefault(space, List.of()).stream().findFirst().orElse(null));
        spaces.put(space, new Space(space, new SearchEngine(space, index, textness, limits),
            List.copyOf(e.getValue()), text));
        log.info("search space {}: index {} ({} items), image models {}, text model {}, textness vector {}",
            space, dir, index.size(), dims.keySet(), text == null ? "none" : text.name(),
            textness.current(space).map(v -> "v" + v.version()).orElse("none"));
      }
    } catch (IOException | RuntimeException ex) {
      spaces.values().forEach(s -> closeQuietly(s.engine()));
      throw ex;
    }
    return new SearchSpaces(spaces);
  }

  /**
   * The space a request names; "" = the only space.
   *
   * @throws SearchRequestException INVALID_ARGUMENT when "" is ambiguous or there is no space,
   *     NOT_FOUND for an unknown name
   */
  public Space space(String requested) {
    if (requested == null || requested.isEmpty()) {
      if (spaces.size() == 1) {
        return spaces.values().iterator().next();
      }
      throw SearchRequestException.invalid("embedding_space", spaces.isEmpty()
          ? "the server has no image models to search"
          : "required: the server has several embedding spaces " + spaces.keySet());
    }
    Space s = spaces.get(requested);
    if (s == null) {
      throw new SearchRequestException(SearchRequestException.Kind.NOT_FOUND, "embedding_space",
          "no embedding space '" + requested + "' with image models (known: " + spaces.keySet() + ")");
    }
    return s;
  }

  public Map<String, Space> spaces() {
    return spaces;
  }

  @Override
  public void close() {
    spaces.values().forEach(s -> closeQuietly(s.engine()));
  }

  private static void closeQuietly(SearchEngine e) {
    try {
      e.close();
    } catch (IOException | RuntimeException ex) {
      log.warn("closing the index of {} failed: {}", e.space(), ex.toString());
    }
  }
}
