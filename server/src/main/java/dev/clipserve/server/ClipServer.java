package dev.clipserve.server;

import dev.clipserve.api.v1.EncoderServiceGrpc;
import dev.clipserve.api.v1.ModelServiceGrpc;
import dev.clipserve.api.v1.SearchServiceGrpc;
import dev.clipserve.server.grpc.EncoderGrpcService;
import dev.clipserve.server.batch.NanoClock;
import dev.clipserve.server.grpc.ModelGrpcService;
import dev.clipserve.server.grpc.SearchGrpcService;
import dev.clipserve.server.index.IndexConfig;
import dev.clipserve.server.search.ImageSearch;
import dev.clipserve.server.search.SearchEngine;
import dev.clipserve.server.search.SearchSpaces;
import dev.clipserve.server.inference.OrtRuntime;
import dev.clipserve.server.metrics.BatcherCollector;
import dev.clipserve.server.metrics.MetricsEndpoint;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clipserve gRPC server and its lifecycle: {@code EncoderService}, {@code ModelService},
 * {@code grpc.health.v1.Health} and server reflection on a caller-supplied {@link ServerBuilder}
 * (Netty in production, in-process in tests), with a bounded call executor.
 *
 * <p>{@link #start} opens the port with health NOT_SERVING, loads every model, then reports
 * SERVING. {@link #shutdown} reports NOT_SERVING, stops accepting calls, lets in-flight calls finish
 * (up to {@link ServerConfig#shutdownGrace()}), then closes the sessions. Thread-safe.
 */
public final class ClipServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClipServer.class);
  /** Health service names reported besides the server-wide "". */
  public static final List<String> SERVICES =
      List.of(EncoderServiceGrpc.SERVICE_NAME, ModelServiceGrpc.SERVICE_NAME, SearchServiceGrpc.SERVICE_NAME);

  private final ServerConfig config;
  private final OrtRuntime runtime;
  private final RunnerDecorator decorator;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ThreadPoolExecutor executor;
  private final Server server;
  private final AtomicReference<ModelRepository> repository = new AtomicReference<>();
  private final AtomicReference<SearchSpaces> search = new AtomicReference<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final EncodingService encoding;
  private volatile MetricsEndpoint metrics;
  private volatile int boundPort = -1;

  /**
   * @param builder the transport to serve on; this class adds its services and executor
   * @param runtime opens the models' sessions
   * @param decorator wraps each model's session runner inside its batcher (tests inject failures), or
   *     {@link RunnerDecorator#NONE}
   */
  public ClipServer(
      ServerConfig config, ServerBuilder<?> builder, OrtRuntime runtime, RunnerDecorator decorator) {
    this.config = config;
    this.runtime = runtime;
    // every model runs behind its dynamic batcher; the given decorator wraps each session runner
    this.decorator = new ModelBatching(config.batching(), decorator, NanoClock.SYSTEM);
    this.executor =
        new ThreadPoolExecutor(
            config.executorThreads(), config.executorThreads(), 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(config.executorQueue()), daemonThreads("clipserve-call-"));
    this.encoding = new EncodingService(this::models, config);
    this.server =
        builder
            .executor(executor)
            .maxInboundMessageSize(config.maxMessageBytes())
            .addService(new EncoderGrpcService(encoding))
            .addService(new ModelGrpcService(this::models))
            .addService(new SearchGrpcService(new ImageSearch(encoding, this::searchSpaces)))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .build();
    setHealth(ServingStatus.NOT_SERVING);
  }

  /**
   * Opens the transport (health NOT_SERVING), loads every model of the repository, then reports
   * SERVING.
   *
   * @throws IOException when the port cannot be bound
   * @throws ModelLoadException when a model does not load; the server is stopped first
   */
  public ClipServer start() throws IOException {
    server.start();
    boundPort = server.getPort();
    log.info("listening on {}:{} (NOT_SERVING until the models are loaded)", config.bindAddress(), port());
    long t0 = System.nanoTime();
    ModelRepository loaded;
    try {
      loaded = ModelRepository.load(config.modelsDir(), runtime, config.maxImagePixels(), decorator);
    } catch (RuntimeException e) {
      server.shutdownNow();
      executor.shutdownNow();
      stopped.countDown();
      throw e;
    }
    SearchSpaces openedSearch;
    try {
      openedSearch = SearchSpaces.open(loaded, config.modelsDir(), IndexConfig.defaults(config.indexDir()),
          config.dataDir().resolve("textness"),
          new SearchEngine.Limits(1000, config.maxItemsPerRequest(), 200, 10_000));
    } catch (IOException | RuntimeException e) {
      server.shutdownNow();
      executor.shutdownNow();
      loaded.close();
      stopped.countDown();
      if (e instanceof IOException io) {
        throw new ModelLoadException("cannot open the search index in " + config.indexDir() + ": " + io, io);
      }
      throw e;
    }
    search.set(openedSearch);
    repository.set(loaded);
    if (stopping.get()) {
      // shutdown() ran while loading: it found no repository to close
      SearchSpaces sp = search.getAndSet(null);
      if (sp != null) {
        sp.close();
      }
      ModelRepository r = repository.getAndSet(null);
      if (r != null) {
        r.close();
      }
      return this;
    }
    log.info(
        "loaded {} models from {} in {} ms", loaded.models().size(), config.modelsDir(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    if (config.metricsPort() > 0) {
      try {
        metrics = MetricsEndpoint.start(config.bindAddress(), config.metricsPort(), metricsCollector());
        log.info("Prometheus metrics on http://{}:{}/metrics", config.bindAddress(), metrics.port());
      } catch (IOException e) {
        shutdown();
        throw new IOException("cannot serve /metrics on port " + config.metricsPort() + ": " + e.getMessage(), e);
      }
    }
    setHealth(ServingStatus.SERVING);
    return this;
  }

  /** The bound {@code /metrics} port, or -1 when the endpoint is off. */
  public int metricsPort() {
    MetricsEndpoint m = metrics;
    return m == null ? -1 : m.port();
  }

  /** Every loaded model's batcher statistics, read at scrape time. */
  BatcherCollector metricsCollector() {
    return new BatcherCollector(
        () -> {
          ModelRepository r = repository.get();
          if (r == null) {
            return List.of();
          }
          List<BatcherCollector.ModelSample> out = new ArrayList<>();
          for (LoadedModel m : r.models()) {
            if (m.runner() instanceof BatchedModel b) {
              out.add(new BatcherCollector.ModelSample(m.name(), b.stats(), b.queuedItems()));
            }
          }
          return out;
        });
  }

  /** The bound port (the real one when configured as 0); -1 for transports without a port. */
  public int port() {
    return boundPort;
  }

  /**
   * The loaded models.
   *
   * @throws UnavailableException while the models are still loading or after shutdown
   */
  public ModelRepository models() {
    ModelRepository r = repository.get();
    if (r == null) {
      throw new UnavailableException(stopping.get() ? "the server is shutting down" : "models are still loading");
    }
    return r;
  }

  /**
   * Graceful stop: health NOT_SERVING, refuse new calls, wait for in-flight calls up to the grace
   * period, then cancel what is left, stop the executor and close the models. Idempotent; later
   * callers return at once.
   */
  public void shutdown() {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    log.info("shutting down: NOT_SERVING, draining in-flight calls (grace {} ms)", config.shutdownGrace().toMillis());
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("in-flight calls still running after the grace period; cancelling them");
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
      executor.shutdown();
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      encoding.close();
      MetricsEndpoint m = metrics;
      if (m != null) {
        m.close();
      }
      SearchSpaces sp = search.getAndSet(null);
      if (sp != null) {
        sp.close(); // commits nothing new: every acknowledged write was already committed
      }
      ModelRepository r = repository.getAndSet(null);
      if (r != null) {
        r.close();
      }
      log.info("stopped");
      stopped.countDown();
    }
  }

  /**
   * The open search indexes.
   *
   * @throws UnavailableException while the server is starting or after shutdown
   */
  public SearchSpaces searchSpaces() {
    SearchSpaces s = search.get();
    if (s == null) {
      throw new UnavailableException(stopping.get() ? "the server is shutting down" : "the search index is opening");
    }
    return s;
  }

  /** Blocks until {@link #shutdown} has finished (or start failed). */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** Same as {@link #shutdown}. */
  @Override
  public void close() {
    shutdown();
  }

  /** How long shutdown may wait for in-flight calls. */
  public Duration shutdownGrace() {
    return config.shutdownGrace();
  }

  private void setHealth(ServingStatus status) {
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    for (String s : SERVICES) {
      health.setStatus(s, status);
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
