package dev.clipserve.loadtest.eval;

import dev.clipserve.api.v1.Image;
import dev.clipserve.loadtest.workload.ImageCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Computes the accuracy half of the A/B report from embeddings fetched from the server: zero-shot
 * top-1 of each image model against the teacher text model's class prompts, mean cosine of the
 * two image models, recall@10 overlap of candidate search against baseline search (exact,
 * client-side ranking over the eval images), and textness grids.
 */
public final class AccuracyEvaluator {
  /** The demo world's zero-shot prompts ({@code distill/clipserve_distill/data.py}). */
  public static final List<String> PROMPTS =
      List.of("a drawing of {a} {class}", "a picture of {a} {class}", "{a} {class}");

  /** Textness scales of the grids. */
  public static final List<Double> SCALES = List.of(-2.0, -1.0, 0.0, 1.0, 2.0);

  /**
   * What to evaluate.
   *
   * @param evalSet the labeled images
   * @param modelLabels "teacher" (baseline) then "student" (candidate, optional)
   * @param modelNames request names of the image models, parallel to labels
   * @param textModel request name of the text model ("teacher")
   * @param textnessQueries queries for the textness grids
   * @param textnessVector file of the textness vector, or null for none
   */
  public record Request(EvalSet evalSet, List<String> modelLabels, List<String> modelNames,
      String textModel, List<String> textnessQueries, Path textnessVector) {}

  /** Server-side search over the eval images (SearchService), when the server has one. */
  @FunctionalInterface
  public interface ServerSearch {
    /** Top-k eval item indices for {@code text} over {@code model}'s embeddings. */
    List<Integer> top(String text, String model, int k, double textnessScale);
  }

  static final String CLIENT_METHOD = "client-side exact ranking by cosine over the eval images"
      + " (teacher text model encodes the queries; each image model ranks the same images)";
  static final String SERVER_METHOD = "server-side SearchService over the eval images (indexed"
      + " for the run, filtered by metadata source=clipserve-loadtest, deleted afterwards)";

  private final EmbeddingFetcher fetcher;
  private final Consumer<String> progress;

  public AccuracyEvaluator(EmbeddingFetcher fetcher, Consumer<String> progress) {
    this.fetcher = fetcher;
    this.progress = progress;
  }

  /** Runs the evaluation, writing textness PNGs into {@code outDir}. */
  public AccuracyResult evaluate(Request req, Path outDir) throws IOException {
    return evaluate(req, outDir, null);
  }

  /**
   * As {@link #evaluate(Request, Path)}; with {@code server} non-null, recall@10 and the textness
   * grids use the server's SearchService (the client-side recall is reported next to it).
   */
  public AccuracyResult evaluate(Request req, Path outDir, ServerSearch server)
      throws IOException {
    EvalSet set = req.evalSet();
    List<EvalItem> items = set.items();
    List<String> notes = new ArrayList<>();
    List<Image> images = ImageCorpus.fromFiles(set.files(), ImageCorpus.Format.ENCODED).images();
    List<float[][]> emb = new ArrayList<>();
    for (int m = 0; m < req.modelNames().size(); m++) {
      long t = System.nanoTime();
      emb.add(fetcher.images(req.modelNames().get(m), images));
      progress.accept(String.format(Locale.ROOT, "accuracy: embedded %d eval images with %s in %.1fs",
          images.size(), req.modelNames().get(m), (System.nanoTime() - t) / 1e9));
    }
    List<String> classes = set.classes();
    float[][] classEmb = new float[classes.size()][];
    for (int c = 0; c < classes.size(); c++) {
      classEmb[c] = Vectors.meanNormalized(List.of(
          fetcher.texts(req.textModel(), prompts(classes.get(c)))));
    }
    Map<String, Double> top1 = new LinkedHashMap<>();
    Map<String, Double> top1Plain = new LinkedHashMap<>();
    Map<String, Double> top1Text = new LinkedHashMap<>();
    List<EvalItem> plainOnly = items.stream()
        .map(i -> i.hasText() ? new EvalItem(i.id(), i.file(), null, true, i.text()) : i).toList();
    List<EvalItem> textOnly = items.stream()
        .map(i -> i.hasText() ? i : new EvalItem(i.id(), i.file(), null, false, null)).toList();
    for (int m = 0; m < emb.size(); m++) {
      String label = req.modelLabels().get(m);
      top1.put(label, Accuracy.zeroShotTop1(emb.get(m), items, classes, classEmb));
      top1Plain.put(label, Accuracy.zeroShotTop1(emb.get(m), plainOnly, classes, classEmb));
      top1Text.put(label, Accuracy.zeroShotTop1(emb.get(m), textOnly, classes, classEmb));
    }
    int classified = (int) items.stream().filter(i -> i.klass() != null).count();

    List<String> queries = new ArrayList<>();
    for (String c : classes) {
      queries.add("a drawing of " + article(c) + " " + c);
      queries.add("the word " + c);
    }
    Double cosine = null;
    Double recall = null;
    Double recallClient = null;
    String method = CLIENT_METHOD;
    if (emb.size() == 2) {
      cosine = Accuracy.meanCosine(emb.get(0), emb.get(1));
      float[][] q = fetcher.texts(req.textModel(), queries);
      recallClient = Accuracy.recallAtKOverlap(q, emb.get(0), emb.get(1), 10);
      recall = recallClient;
      if (server != null) {
        double sum = 0;
        for (String query : queries) {
          java.util.Set<Integer> ref =
              new java.util.HashSet<>(server.top(query, req.modelNames().get(0), 10, 0));
          int hit = 0;
          for (int i : server.top(query, req.modelNames().get(1), 10, 0)) {
            hit += ref.contains(i) ? 1 : 0;
          }
          sum += hit / 10.0;
        }
        recall = sum / queries.size();
        method = SERVER_METHOD;
      }
    }

    List<AccuracyResult.TextnessResult> grids = new ArrayList<>();
    float[] bias = null;
    double biasNorm = 0;
    if (req.textnessVector() != null) {
      bias = TextnessVector.load(req.textnessVector());
      biasNorm = Math.sqrt(Vectors.dot(bias, bias));
      int dim = emb.get(0)[0].length;
      if (bias.length != dim) {
        notes.add("textness vector has " + bias.length + " values but embeddings have " + dim
            + ": no textness grids");
        bias = null;
      }
    } else {
      notes.add("no textness vector found: no textness grids");
    }
    if (bias != null && !req.textnessQueries().isEmpty()) {
      float[][] q = fetcher.texts(req.textModel(), req.textnessQueries());
      for (int i = 0; i < q.length; i++) {
        String query = req.textnessQueries().get(i);
        String queryClass = classes.contains(query.strip().toLowerCase(Locale.ROOT))
            ? query.strip().toLowerCase(Locale.ROOT) : null;
        for (int m = 0; m < emb.size(); m++) {
          String label = req.modelLabels().get(m);
          List<TextnessGrid.Row> rows = null;
          if (server != null) {
            try {
              rows = new ArrayList<>();
              for (double sc : SCALES) {
                rows.add(TextnessGrid.row(sc,
                    server.top(query, req.modelNames().get(m), 10, sc), items, queryClass));
              }
            } catch (io.grpc.StatusRuntimeException e) {
              notes.add("server textness search failed (" + e.getStatus().getCode()
                  + "): grids ranked client-side");
              server = null;
              rows = null;
            }
          }
          if (rows == null) {
            rows = TextnessGrid.rank(q[i], bias, emb.get(m), items, SCALES, 10, queryClass);
          }
          String file = "textness-" + slug(query) + "-" + slug(label) + ".png";
          TextnessGrid.write(outDir.resolve(file),
              "\"" + query + "\" (" + label + ", " + req.modelNames().get(m)
                  + "): textness scale -2 (top) .. +2 (bottom); red bar = has text",
              rows, items);
          List<List<String>> ids = new ArrayList<>();
          rows.forEach(r -> ids.add(r.top().stream().map(k -> items.get(k).id()).toList()));
          grids.add(new AccuracyResult.TextnessResult(query, label, rows, ids, file));
        }
      }
    }
    return new AccuracyResult(set.dir().toString(), items.size(), classified, classes, PROMPTS,
        top1, top1Plain, top1Text, cosine, recall, recallClient, queries, method, grids,
        req.textnessVector() == null ? null : req.textnessVector().toString(), biasNorm,
        notes);
  }

  /** The prompts of one class. */
  public static List<String> prompts(String klass) {
    List<String> out = new ArrayList<>();
    for (String t : PROMPTS) {
      out.add(t.replace("{a}", article(klass)).replace("{class}", klass));
    }
    return out;
  }

  static String article(String word) {
    return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
  }

  static String slug(String s) {
    String out = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    return out.isEmpty() ? "query" : out;
  }

  /** Creates {@code dir} if needed. */
  static void mkdirs(Path dir) throws IOException {
    Files.createDirectories(dir);
  }
}
