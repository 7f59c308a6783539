package dev.clipserve.server;

import dev.clipserve.server.batch.BatchPolicy;
import dev.clipserve.server.batch.NanoClock;
import dev.clipserve.server.inference.InferenceRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a {@link BatchedModel} in front of every model as the repository loads it, with the
 * manifest's policy overridden by {@link BatchingConfig}. An inner decorator (tests use one to
 * inject failures) wraps each session runner first.
 */
public final class ModelBatching implements RunnerDecorator {
  private static final Logger log = LoggerFactory.getLogger(ModelBatching.class);

  private final BatchingConfig config;
  private final RunnerDecorator inner;
  private final NanoClock clock;

  public ModelBatching(BatchingConfig config, RunnerDecorator inner, NanoClock clock) {
    this.config = config;
    this.inner = inner;
    this.clock = clock;
  }

  @Override
  public InferenceRunner decorate(ModelManifest manifest, InferenceRunner sessionRunner) {
    return decorate(manifest, sessionRunner, () -> sessionRunner);
  }

  @Override
  public InferenceRunner decorate(
      ModelManifest manifest, InferenceRunner sessionRunner, Supplier<InferenceRunner> openSession) {
    BatchPolicy policy = config.policyFor(manifest);
    InferenceRunner first = inner.decorate(manifest, sessionRunner);
    List<InferenceRunner> runners = new ArrayList<>();
    runners.add(first);
    for (int i = 1; i < config.executors(); i++) {
      runners.add(config.sessionPerExecutor() ? inner.decorate(manifest, openSession.get()) : first);
    }
    log.info(
        "model {}: batching {} with {} executor(s) on {}", manifest.name(), policy, config.executors(),
        config.sessionPerExecutor() ? "one session each" : "one shared session");
    return new BatchedModel(manifest.name(), policy, runners, config.sessionPerExecutor(), clock);
  }
}
