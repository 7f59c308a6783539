package dev.clipserve.server.search;

import dev.clipserve.server.Embeddings;
import dev.clipserve.server.EncodingService;
import dev.clipserve.server.ImageInput;
import dev.clipserve.server.InvalidRequestException;
import dev.clipserve.server.LoadedModel;
import dev.clipserve.server.index.IndexStats;
import dev.clipserve.server.index.IndexedItem;
import dev.clipserve.server.index.SearchHit;
import dev.clipserve.server.index.VectorIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The search use cases, transport-free: index images (encoding each with every image model of the
 * space through the same {@link EncodingService} that serves EncoderService), delete, stats, search
 * by text / image / vector with textness, and train the textness probe. The gRPC adapter maps
 * requests to these calls and exceptions to status codes: {@link SearchRequestException} by its kind;
 * everything else as for EncoderService.
 *
 * <p>Thread-safe.
 */
public final class ImageSearch {
  /** Most examples one TrainTextness call may carry. */
  public static final int MAX_TRAIN_EXAMPLES = 10_000;
  /** Most epochs one TrainTextness call may ask for. */
  public static final int MAX_EPOCHS = 100_000;

  private static final Pattern IMAGES_INDEX = Pattern.compile("^images\\[(\\d+)\\]");

  private final EncodingService encoding;
  private final Supplier<SearchSpaces> spaces;

  /**
   * @param spaces the open search spaces; may throw {@link dev.clipserve.server.UnavailableException}
   *     while the server starts or stops
   */
  public ImageSearch(EncodingService encoding, Supplier<SearchSpaces> spaces) {
    this.encoding = encoding;
    this.spaces = spaces;
  }

  /** One image to index. */
  public record IndexRequestItem(String id, ImageInput image, Map<String, String> metadata) {}

  /**
   * The outcome of one item.
   *
   * @param statusCode a google.rpc.Code value: 0 OK, 3 INVALID_ARGUMENT
   */
  public record ItemResult(String id, boolean indexed, int statusCode, String message) {}

  public record IndexOutcome(String space, List<String> models, List<ItemResult> results) {}

  public record DeleteOutcome(List<String> deleted, List<String> missing) {}

  public record Stats(String space, IndexStats index, int textnessVersion, String textnessTrainedOn,
      int exactBelow) {}

  /** A query: exactly one of text, image, vector. */
  public sealed interface Query permits TextQuery, ImageQuery, VectorQuery {}

  public record TextQuery(String text) implements Query {}

  public record ImageQuery(ImageInput image) implements Query {}

  public record VectorQuery(float[] vector) implements Query {}

  /** Search parameters besides the query (see SearchRequest in search_service.proto). */
  public record SearchParams(String model, int topK, double textnessScale, TextnessTarget target,
      Map<String, String> filter, int candidatePool) {}

  public record SearchOutcome(String model, String queryModel, List<SearchHit> hits, int textnessVersion) {}

  /** A training example: an image or an indexed id, and its label. */
  public record Example(ImageInput image, String id, boolean hasText) {}

  public record TrainOutcome(String space, String trainedOn, SearchEngine.Training training) {}

  /**
   * Encodes and upserts items; a bad image fails its item only.
   *
   * @throws SearchRequestException for request-level problems (count, ids, metadata keys, space)
   */
  public IndexOutcome index(String spaceName, List<IndexRequestItem> items) throws IOException {
    SearchSpaces.Space space = spaces.get().space(spaceName);
    SearchEngine engine = space.engine();
    SearchValidation.requireCount("items", items.size(), engine.limits().maxItemsPerRequest());
    List<String> ids = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      IndexRequestItem it = items.get(i);
      ids.add(it.id());
      for (String key : it.metadata().keySet()) {
        if (key.isEmpty()) {
          throw SearchRequestException.invalid("items[" + i + "].metadata", "empty key");
        }
      }
    }
    SearchValidation.requireUniqueIds("items", ids, VectorIndex.MAX_ID_LENGTH);

    String[] failures = new String[items.size()];
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).image() == null) {
        failures[i] = "items[" + i + "].image: required (encoded or raw)";
      }
    }
    Map<String, float[][]> vectors = new HashMap<>();
    for (LoadedModel model : space.imageModels()) {
      vectors.put(model.name(), encodeEach(model.name(), items, failures));
    }
    List<IndexedItem> ok = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (failures[i] == null) {
        Map<String, float[]> perModel = new HashMap<>();
        for (var e : vectors.entrySet()) {
          perModel.put(e.getKey(), e.getValue()[i]);
        }
        ok.add(new IndexedItem(items.get(i).id(), perModel, items.get(i).metadata()));
      }
    }
    if (!ok.isEmpty()) {
      engine.index(ok);
    }
    List<ItemResult> results = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      results.add(failures[i] == null
          ? new ItemResult(items.get(i).id(), true, 0, "")
          : new ItemResult(items.get(i).id(), false, 3, failures[i]));
    }
    return new IndexOutcome(space.name(), space.imageModels().stream().map(LoadedModel::name).toList(), results);
  }

  /**
   * Encodes every item not yet failed with {@code model}: all at once, and item by item only when the
   * batch has a bad image (to find which). Marks newly failed items in {@code failures}.
   */
  private float[][] encodeEach(String model, List<IndexRequestItem> items, String[] failures) {
    float[][] out = new float[items.size()][];
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (failures[i] == null) {
        pending.add(i);
      }
    }
    if (pending.isEmpty()) {
      return out;
    }
    try {
      Embeddings e = encoding.encodeImages(model, pending.stream().map(i -> items.get(i).image()).toList());
      for (int j = 0; j < pending.size(); j++) {
        out[pending.get(j)] = e.vectors()[j];
      }
      return out;
    } catch (InvalidRequestException batchFailed) {
      for (int i : pending) {
        try {
          out[i] = encoding.encodeImages(model, List.of(items.get(i).image())).vectors()[0];
        } catch (InvalidRequestException e) {
          failures[i] = renameImageField(e.getMessage(), j -> "items[" + i + "].image");
        }
      }
      return out;
    }
  }

  /** Rewrites the encoder's {@code images[j]...} field prefix with {@code rename(j)}. */
  private static String renameImageField(String message, java.util.function.IntFunction<String> rename) {
    Matcher m = IMAGES_INDEX.matcher(message);
    if (m.find()) {
      return rename.apply(Integer.parseInt(m.group(1))) + message.substring(m.end());
    }
    return message;
  }

  private static SearchRequestException renamed(InvalidRequestException e,
      java.util.function.IntFunction<String> rename) {
    return SearchRequestException.invalidFrom(new IllegalArgumentException(renameImageField(e.getMessage(), rename)),
        "image");
  }

  public DeleteOutcome delete(String spaceName, List<String> ids) throws IOException {
    SearchEngine engine = spaces.get().space(spaceName).engine();
    Set<String> existed = engine.delete(ids);
    List<String> deleted = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String id : ids) {
      (existed.contains(id) ? deleted : missing).add(id);
    }
    return new DeleteOutcome(deleted, missing);
  }

  public Stats stats(String spaceName) throws IOException {
    SearchSpaces.Space space = spaces.get().space(spaceName);
    var tv = space.engine().textnessVector();
    return new Stats(space.name(), space.engine().stats(), tv.map(TextnessVector::version).orElse(0),
        tv.map(TextnessVector::trainedOn).orElse(""), space.engine().index().config().exactBelow());
  }

  /**
   * Encodes the query and searches.
   *
   * @throws SearchRequestException naming the field; encoder errors are renamed to the query field
   */
  public SearchOutcome search(String spaceName, Query query, SearchParams p) throws IOException {
    SearchSpaces.Space space = spaces.get().space(spaceName);
    LoadedModel model = space.imageModel(p.model());
    SearchEngine engine = space.engine();
    SearchValidation.requireTopK("top_k", p.topK(), engine.limits().maxTopK());
    SearchValidation.requireFinite("textness_scale", p.textnessScale());
    float[] vector;
    String queryModel;
    if (query instanceof TextQuery t) {
      SearchValidation.requireText("text", t.text());
      if (space.textModel() == null) {
        throw new SearchRequestException(SearchRequestException.Kind.FAILED_PRECONDITION, "text",
            "embedding space " + space.name() + " has no text model");
      }
      try {
        vector = encoding.encodeTexts(space.textModel().name(), List.of(t.text())).vectors()[0];
      } catch (InvalidRequestException e) {
        throw SearchRequestException.invalid("text", e.getMessage().replaceFirst("^texts\\[0\\]: ", ""));
      }
      queryModel = space.textModel().name();
    } else if (query instanceof ImageQuery im) {
      if (im.image() == null) {
        throw SearchRequestException.invalid("image", "required (encoded or raw)");
      }
      try {
        vector = encoding.encodeImages(model.name(), List.of(im.image())).vectors()[0];
      } catch (InvalidRequestException e) {
        throw renamed(e, j -> "image");
      }
      queryModel = model.name();
    } else if (query instanceof VectorQuery v) {
      SearchValidation.requireVector("vector", v.vector(), model.manifest().dimension());
      vector = v.vector();
      queryModel = "";
    } else {
      throw SearchRequestException.invalid("query", "required: one of text, image or vector");
    }
    List<SearchHit> hits = engine.search(new SearchEngine.Query(model.name(), vector, p.topK(), p.textnessScale(),
        p.target(), p.filter(), p.candidatePool()));
    int version = p.textnessScale() == 0 ? 0 : engine.textnessVector().map(TextnessVector::version).orElse(0);
    return new SearchOutcome(model.name(), queryModel, hits, version);
  }

  /**
   * Encodes (or looks up) the examples' embeddings with {@code model}, fits the probe and stores the
   * next textness version.
   */
  public TrainOutcome train(String spaceName, String modelName, List<Example> examples, double valFraction,
      int epochs) throws IOException {
    SearchSpaces.Space space = spaces.get().space(spaceName);
    LoadedModel model = space.imageModel(modelName);
    SearchValidation.requireCount("examples", examples.size(), MAX_TRAIN_EXAMPLES);
    if (!Double.isFinite(valFraction) || valFraction < 0 || valFraction > 0.9) {
      throw SearchRequestException.invalid("validation_fraction", "must be in [0, 0.9], got " + valFraction);
    }
    if (epochs < 0 || epochs > MAX_EPOCHS) {
      throw SearchRequestException.invalid("epochs", "must be in [0, " + MAX_EPOCHS + "], got " + epochs);
    }
    float[][] xs = new float[examples.size()][];
    List<Integer> imageIdx = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      Example ex = examples.get(i);
      if (ex.image() != null) {
        imageIdx.add(i);
      } else if (ex.id() != null && !ex.id().isEmpty()) {
        int idx = i;
        xs[i] = space.engine().index().vector(ex.id(), model.name()).orElseThrow(() ->
            SearchRequestException.invalid("examples[" + idx + "].id", "'" + ex.id() + "' is not in the index"));
      } else {
        throw SearchRequestException.invalid("examples[" + i + "]", "required: one of image or id");
      }
    }
    int chunk = space.engine().limits().maxItemsPerRequest();
    for (int from = 0; from < imageIdx.size(); from += chunk) {
      List<Integer> part = imageIdx.subList(from, Math.min(imageIdx.size(), from + chunk));
      try {
        Embeddings e = encoding.encodeImages(model.name(), part.stream().map(i -> examples.get(i).image()).toList());
        for (int j = 0; j < part.size(); j++) {
          xs[part.get(j)] = e.vectors()[j];
        }
      } catch (InvalidRequestException e) {
        throw renamed(e, j -> "examples[" + part.get(j) + "].image");
      }
    }
    List<Boolean> ys = examples.stream().map(Example::hasText).toList();
    TextnessTrainer.Options defaults = TextnessTrainer.Options.defaults();
    TextnessTrainer.Options opts = new TextnessTrainer.Options(epochs == 0 ? defaults.epochs() : epochs,
        defaults.learningRate(), defaults.l2(), valFraction == 0 ? defaults.valFraction() : valFraction,
        defaults.seed());
    SearchEngine.Training t = space.engine().trainTextness(List.of(xs), ys, model.name(), opts);
    return new TrainOutcome(space.name(), model.name(), t);
  }
}
