package dev.clipserve.server.search;

import dev.clipserve.server.index.IndexStats;
import dev.clipserve.server.index.IndexedItem;
import dev.clipserve.server.index.SearchHit;
import dev.clipserve.server.index.SearchMode;
import dev.clipserve.server.index.VectorIndex;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Search over one embedding space: validates queries, applies the textness bias, and delegates to
 * the space's {@link VectorIndex}. Encoding happens before (the gRPC layer turns texts and images into
 * vectors with the encoders); this class only sees vectors.
 *
 * <p><b>Textness.</b> With scale {@code s} and the space's unit textness vector {@code b}:
 * <ul>
 *   <li>{@link TextnessTarget#QUERY}: {@code q' = normalize(t + s*b)}; hits are ranked by {@code
 *       q'.v}, which orders exactly like {@code t.v + s*(b.v)}, so the HNSW search is as exact as
 *       HNSW itself. The reported score is {@code q'.v}.
 *   <li>{@link TextnessTarget#IMAGES}: {@code v' = normalize(v + s*b)}; hits are ranked by {@code
 *       t.v'} (the reported score). Exact on the flat index. On HNSW the candidates are the union of
 *       the ANN top-{@code pool} for {@code t} and for {@code q'}, each rescored exactly; an item
 *       outside both pools is never returned (the approximation).
 * </ul>
 * {@code s = 0} is a plain search. The meaningful range is about {@code [-2, 2]}: {@code |s| = 1}
 * weighs the bias like the whole (unit) query; beyond 2 the query is mostly {@code ±b}.
 *
 * <p>Thread-safe; the index and store it is given are shared, not owned, except that {@link
 * #close()} closes the index.
 */
public final class SearchEngine implements Closeable {

  /**
   * Request limits.
   *
   * @param maxTopK largest top_k accepted (default 1000)
   * @param maxItemsPerRequest most items in one IndexImages/DeleteImages/TrainTextness request
   *     (default 256 for images; ids in DeleteImages count the same)
   * @param defaultCandidatePool HNSW candidate pool per query for image-side textness when the request
   *     leaves it at 0 (default 200)
   * @param maxCandidatePool largest candidate pool accepted (default 10,000)
   */
  public record Limits(int maxTopK, int maxItemsPerRequest, int defaultCandidatePool, int maxCandidatePool) {
    public static Limits defaults() {
      return new Limits(1000, 256, 200, 10_000);
    }
  }

  /**
   * One search, already encoded.
   *
   * @param model image model name whose embeddings to search
   * @param vector the query vector (text, image or raw embedding); normalized here
   * @param topK results wanted
   * @param textnessScale s, finite; 0 = none
   * @param target where the bias goes
   * @param filter metadata key -> exact value, all required; keys must exist in the index
   * @param candidatePool image-side HNSW pool; 0 = the default
   */
  public record Query(String model, float[] vector, int topK, double textnessScale, TextnessTarget target,
      Map<String, String> filter, int candidatePool) {
    public Query {
      filter = filter == null ? Map.of() : Map.copyOf(filter);
      target = target == null ? TextnessTarget.QUERY : target;
    }
  }

  /** The outcome of {@link #trainTextness}. */
  public record Training(TextnessTrainer.Fit fit, TextnessVector stored) {}

  private final String space;
  private final VectorIndex index;
  private final TextnessStore textness;
  private final Limits limits;

  public SearchEngine(String space, VectorIndex index, TextnessStore textness, Limits limits) {
    this.space = space;
    this.index = index;
    this.textness = textness;
    this.limits = limits;
  }

  public String space() {
    return space;
  }

  public VectorIndex index() {
    return index;
  }

  public Limits limits() {
    return limits;
  }

  public Optional<TextnessVector> textnessVector() {
    return textness.current(space);
  }

  /**
   * Runs one search.
   *
   * @throws SearchRequestException INVALID_ARGUMENT for a bad field (named), NOT_FOUND for an
   *     unknown model, FAILED_PRECONDITION for a non-zero scale when the space has no textness vector
   */
  public List<SearchHit> search(Query q) throws IOException {
    Integer dim = index.modelDimensions().get(q.model());
    if (dim == null) {
      throw new SearchRequestException(SearchRequestException.Kind.NOT_FOUND, "model",
          "no image model '" + q.model() + "' in embedding space " + space);
    }
    SearchValidation.requireTopK("top_k", q.topK(), limits.maxTopK());
    SearchValidation.requireFinite("textness_scale", q.textnessScale());
    SearchValidation.requireVector("query", q.vector(), dim);
    if (q.candidatePool() < 0 || q.candidatePool() > limits.maxCandidatePool()) {
      throw SearchRequestException.invalid("candidate_pool",
          "must be in [0, " + limits.maxCandidatePool() + "], got " + q.candidatePool());
    }
    if (!q.filter().isEmpty()) {
      SearchValidation.requireKnownFields("filter", q.filter().keySet(), index.metadataFields());
    }
    float[] t = VectorMath.normalized(q.vector());
    float s = (float) q.textnessScale();
    if (s == 0f) {
      return index.search(q.model(), t, q.topK(), q.filter(), SearchMode.AUTO);
    }
    TextnessVector tv = textness.current(space).orElseThrow(() -> new SearchRequestException(
        SearchRequestException.Kind.FAILED_PRECONDITION, "textness_scale",
        "embedding space " + space + " has no textness vector (train one with TrainTextness)"));
    if (tv.dimension() != dim) {
      throw new SearchRequestException(SearchRequestException.Kind.FAILED_PRECONDITION, "textness_scale",
          "textness vector has dimension " + tv.dimension() + ", model has " + dim);
    }
    float[] b = tv.unitVector();
    float[] shifted = VectorMath.plusScaled(t, s, b);
    if (!(VectorMath.norm(shifted) > 1e-6)) {
      throw SearchRequestException.invalid("textness_scale", "cancels the query vector exactly");
    }
    float[] qPrime = VectorMath.normalized(shifted);
    if (q.target() == TextnessTarget.QUERY) {
      return index.search(q.model(), qPrime, q.topK(), q.filter(), SearchMode.AUTO);
    }
    int pool = q.candidatePool() == 0 ? limits.defaultCandidatePool() : q.candidatePool();
    return index.searchRescored(q.model(), List.of(t, qPrime), pool, q.topK(), q.filter(), SearchMode.AUTO,
        imageSideScorer(t, b, s));
  }

  /** {@code v -> t . normalize(v + s*b)} (0 if {@code v + s*b} vanishes). */
  static dev.clipserve.server.index.VectorScorer imageSideScorer(float[] t, float[] b, float s) {
    return v -> {
      double num = 0;
      double sq = 0;
      for (int i = 0; i < v.length; i++) {
        double shifted = v[i] + (double) s * b[i];
        num += t[i] * shifted;
        sq += shifted * shifted;
      }
      return sq > 0 ? (float) (num / Math.sqrt(sq)) : 0f;
    };
  }

  /**
   * Upserts items durably (see {@link VectorIndex#upsert}).
   *
   * @throws SearchRequestException INVALID_ARGUMENT for too many items or a duplicate/empty id
   */
  public int index(List<IndexedItem> items) throws IOException {
    SearchValidation.requireCount("items", items.size(), limits.maxItemsPerRequest());
    List<String> ids = new ArrayList<>(items.size());
    items.forEach(i -> ids.add(i.id()));
    SearchValidation.requireUniqueIds("items", ids, VectorIndex.MAX_ID_LENGTH);
    try {
      return index.upsert(items);
    } catch (IllegalArgumentException e) {
      throw SearchRequestException.invalidFrom(e, "items");
    }
  }

  /** Deletes ids durably; returns those that existed. */
  public Set<String> delete(List<String> ids) throws IOException {
    SearchValidation.requireCount("ids", ids.size(), limits.maxItemsPerRequest());
    SearchValidation.requireUniqueIds("ids", ids, VectorIndex.MAX_ID_LENGTH);
    return index.delete(ids);
  }

  public IndexStats stats() throws IOException {
    return index.stats();
  }

  /**
   * Fits the textness probe on labeled embeddings and stores the result as the space's next version.
   *
   * @param trainedOn the image model that produced the embeddings (recorded in the file)
   */
  public Training trainTextness(List<float[]> embeddings, List<Boolean> hasText, String trainedOn,
      TextnessTrainer.Options options) throws IOException {
    TextnessTrainer.Fit fit;
    try {
      fit = new TextnessTrainer(options).fit(embeddings, hasText);
    } catch (IllegalArgumentException e) {
      throw SearchRequestException.invalidFrom(e, "examples");
    }
    double n = VectorMath.norm(fit.weight());
    if (!(n > 0)) {
      throw new SearchRequestException(SearchRequestException.Kind.FAILED_PRECONDITION, "examples",
          "the probe learned a zero weight row (examples not separable by any direction)");
    }
    TextnessVector stored = textness.publish(space, fit.weight(), trainedOn, fit.trainAccuracy(),
        Double.isNaN(fit.valAccuracy()) ? null : fit.valAccuracy());
    return new Training(fit, stored);
  }

  @Override
  public void close() throws IOException {
    index.close();
  }
}
