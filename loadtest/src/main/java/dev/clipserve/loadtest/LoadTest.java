package dev.clipserve.loadtest;

import dev.clipserve.api.v1.Modality;
import dev.clipserve.api.v1.ModelInfo;
import dev.clipserve.api.v1.SearchServiceGrpc;
import dev.clipserve.loadtest.ab.AbRunner;
import dev.clipserve.loadtest.ab.LevelComparison;
import dev.clipserve.loadtest.eval.AccuracyEvaluator;
import dev.clipserve.loadtest.eval.AccuracyResult;
import dev.clipserve.loadtest.eval.EmbeddingFetcher;
import dev.clipserve.loadtest.eval.EvalSet;
import dev.clipserve.loadtest.eval.ServerIndex;
import dev.clipserve.loadtest.eval.TextnessVector;
import dev.clipserve.loadtest.report.ReportData;
import dev.clipserve.loadtest.report.ReportWriter;
import dev.clipserve.loadtest.run.LoadDriver;
import dev.clipserve.loadtest.run.NanoClock;
import dev.clipserve.loadtest.run.Pacer;
import dev.clipserve.loadtest.run.RequestSender;
import dev.clipserve.loadtest.workload.EncodeImagesWorkload;
import dev.clipserve.loadtest.workload.EncodeTextsWorkload;
import dev.clipserve.loadtest.workload.GrpcTarget;
import dev.clipserve.loadtest.workload.ImageCorpus;
import dev.clipserve.loadtest.workload.SearchWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One load test from options to report: asks the server for its models, runs the sweep (A/B or
 * single model), evaluates accuracy on the eval set, writes the report. Talks only to the given
 * target.
 */
public final class LoadTest {
  /** Images per call in accuracy evaluation. */
  private static final int EVAL_CHUNK = 32;
  /** Images cycled by the load when they come from the eval set. */
  private static final int LOAD_IMAGES = 64;

  private final Options options;
  private final GrpcTarget target;
  private final NanoClock clock;
  private final Consumer<String> progress;

  public LoadTest(Options options, GrpcTarget target, NanoClock clock, Consumer<String> progress) {
    this.options = options;
    this.target = target;
    this.clock = clock;
    this.progress = progress;
  }

  /** Runs everything and writes the report into {@code options.out()}. */
  public ReportData run() throws IOException, InterruptedException {
    long t0 = clock.nanoTime();
    List<ModelInfo> serverModels = target.listModels(120);
    progress.accept("server " + target.address() + ": "
        + serverModels.stream().map(ModelInfo::getName).toList());
    List<LevelComparison> levels;
    AccuracyResult accuracy = null;
    List<String> labels = options.ab() ? List.of("teacher", "student") : List.of("model");
    List<String> names = options.models();
    List<String> resolved = new ArrayList<>();
    for (String n : names) {
      resolved.add(target.resolve(n, options.workload().equals("texts")
          ? Modality.MODALITY_TEXT : Modality.MODALITY_IMAGE));
    }
    progress.accept("models: " + labels + " = " + resolved);
    EvalSet eval = loadEvalSet();
    ServerIndex index = null;
    try {
      if (eval != null && options.serverSearch()
          && (options.workload().equals("search") || options.accuracy())) {
        long t = clock.nanoTime();
        index = ServerIndex.create(target.channel(), eval,
            ImageCorpus.fromFiles(eval.files(), ImageCorpus.Format.ENCODED).images(),
            options.deadline()).orElse(null);
        progress.accept(index == null
            ? "search: server has no SearchService; search-based numbers are computed client-side"
            : String.format(Locale.ROOT, "search: indexed %d eval images on the server in %.1fs",
                eval.items().size(), (clock.nanoTime() - t) / 1e9));
      }
      if (options.workload().equals("search") && index == null) {
        throw new IllegalArgumentException("--workload search needs the eval set and a server"
            + " with SearchService");
      }

      Function<String, RequestSender> senders = senders(eval);
      LoadDriver driver = new LoadDriver(clock, Pacer.parking(clock), options.arrivals(),
          options.maxOutstanding(), options.maxRequests(), options.deadline(), options.seed());
      AbRunner.Config cfg = new AbRunner.Config(options.levels(),
          options.ab() ? options.rounds() : 1, options.duration(), options.warmup(),
          options.initialWarmup());
      levels = new AbRunner(driver, progress).run(cfg, names, senders);

      Files.createDirectories(options.out());
      if (options.accuracy() && eval != null && !options.workload().equals("texts")) {
        EmbeddingFetcher fetcher = new EmbeddingFetcher(target.encoderBlocking(), EVAL_CHUNK,
            options.deadline());
        AccuracyEvaluator.ServerSearch server = null;
        if (index != null) {
          Map<String, Integer> position = new HashMap<>();
          for (int i = 0; i < eval.items().size(); i++) {
            position.put(eval.items().get(i).id(), i);
          }
          ServerIndex idx = index;
          server = (text, model, k, scale) -> idx.search(text, model, k, scale, position);
        }
        accuracy = new AccuracyEvaluator(fetcher, progress).evaluate(
            new AccuracyEvaluator.Request(eval, labels, resolved, "teacher",
                options.textnessQueries(), textnessVector(serverModels, resolved.get(0))),
            options.out(), server);
      } else if (options.accuracy() && eval == null) {
        progress.accept("accuracy: no eval set at " + options.evalDir() + ": skipped");
      }
    } finally {
      if (index != null) {
        index.close();
      }
    }
    ReportData data = new ReportData(Instant.now().toString(),
        System.getProperty("clipserve.git.commit", "unknown"), Machine.describe(),
        target.address(), serverModels, options.describe(), workloadDescription(), itemUnit(),
        labels, resolved, levels, accuracy, (clock.nanoTime() - t0) / 1e9,
        trainingMetrics());
    List<Path> files = ReportWriter.write(options.out(), data);
    progress.accept(String.format(Locale.ROOT, "wrote %d files to %s in %.1fs", files.size(),
        options.out(), data.wallSeconds()));
    return data;
  }

  /** metrics.json next to the eval set (the demo repository's), if present. */
  private String trainingMetrics() throws IOException {
    Path parent = options.evalDir().toAbsolutePath().getParent();
    Path f = parent == null ? null : parent.resolve("metrics.json");
    return f != null && Files.exists(f) ? Files.readString(f) : null;
  }

  private EvalSet loadEvalSet() throws IOException {
    Path labels = options.labels();
    boolean present = labels != null ? Files.exists(labels)
        : Files.exists(options.evalDir().resolve("labels.jsonl"))
            || Files.exists(options.evalDir().resolve("labels.csv"));
    return present ? EvalSet.load(options.evalDir(), labels, options.evalLimit()) : null;
  }

  /**
   * The textness vector: --textness-vector, else {@code textness/<space>.json} of the teacher's
   * embedding space next to the eval set's repository, else any vector file there.
   */
  private Path textnessVector(List<ModelInfo> serverModels, String teacher) throws IOException {
    if (options.textnessVector() != null) {
      return options.textnessVector();
    }
    Path parent = options.evalDir().toAbsolutePath().getParent();
    List<Path> dirs = new ArrayList<>();
    if (parent != null) {
      dirs.add(parent.resolve("textness"));
    }
    dirs.add(Options.repositoryRoot().resolve("models").resolve("textness"));
    for (Path dir : dirs) {
      for (ModelInfo m : serverModels) {
        Path f = dir.resolve(m.getEmbeddingSpace() + ".json");
        if (m.getName().equals(teacher) && Files.exists(f)) {
          return f;
        }
      }
    }
    for (Path dir : dirs) {
      Path found = TextnessVector.find(dir);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private Function<String, RequestSender> senders(EvalSet eval) throws IOException {
    Duration deadline = options.deadline();
    switch (options.workload()) {
      case "images" -> {
        ImageCorpus corpus = imageCorpus(eval);
        return model -> new EncodeImagesWorkload(target.encoderAsync(), model, corpus,
            options.itemsPerCall(), deadline);
      }
      case "texts" -> {
        List<String> texts = new ArrayList<>();
        for (String c : eval == null ? List.of("cat", "fish", "house", "star") : eval.classes()) {
          texts.addAll(AccuracyEvaluator.prompts(c));
          texts.add("the word " + c);
        }
        return model -> new EncodeTextsWorkload(target.encoderAsync(), model, texts,
            options.itemsPerCall(), deadline);
      }
      default -> {
        List<String> queries = new ArrayList<>();
        for (String c : eval.classes()) {
          queries.add("a drawing of " + (c.matches("^[aeiou].*") ? "an " : "a ") + c);
          queries.add("the word " + c);
        }
        return model -> new SearchWorkload(SearchServiceGrpc.newFutureStub(target.channel()),
            model, queries, 10, options.textness(), deadline);
      }
    }
  }

  private ImageCorpus imageCorpus(EvalSet eval) throws IOException {
    if (options.imageDir() != null) {
      try (Stream<Path> s = Files.list(options.imageDir())) {
        List<Path> files = s.filter(p -> p.toString().toLowerCase(Locale.ROOT)
            .matches(".*\\.(png|jpe?g|bmp|gif)$")).sorted().limit(LOAD_IMAGES).toList();
        if (files.isEmpty()) {
          throw new IllegalArgumentException("--image-dir: no images in " + options.imageDir());
        }
        return ImageCorpus.fromFiles(files, options.imageFormat());
      }
    }
    if (eval != null) {
      List<Path> files = eval.files();
      return ImageCorpus.fromFiles(files.subList(0, Math.min(LOAD_IMAGES, files.size())),
          options.imageFormat());
    }
    return ImageCorpus.synthetic(32, 224, options.imageFormat(), options.seed());
  }

  private String workloadDescription() {
    String loop = options.levels().get(0).mode().name().toLowerCase(Locale.ROOT) + " loop";
    if (options.levels().get(0).mode() == dev.clipserve.loadtest.run.LoadLevel.Mode.OPEN) {
      loop += ", " + options.arrivals().name().toLowerCase(Locale.ROOT) + " arrivals";
    }
    return switch (options.workload()) {
      case "images" -> String.format(Locale.ROOT, "EncodeImages, %d %s image(s) per call, %s",
          options.itemsPerCall(), options.imageFormat().name().toLowerCase(Locale.ROOT), loop);
      case "texts" -> String.format(Locale.ROOT, "EncodeTexts, %d text(s) per call, %s",
          options.itemsPerCall(), loop);
      default -> String.format(Locale.ROOT, "Search, textness %.1f, %s", options.textness(),
          loop);
    };
  }

  private String itemUnit() {
    return switch (options.workload()) {
      case "images" -> "images";
      case "texts" -> "texts";
      default -> "queries";
    };
  }
}
