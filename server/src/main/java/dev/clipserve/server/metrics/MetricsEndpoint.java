package dev.clipserve.server.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/**
 * The Prometheus {@code /metrics} HTTP endpoint on its own port, with its own registry (no global
 * state). Owns the HTTP server: {@link #close} stops it.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private final HTTPServer server;

  private MetricsEndpoint(HTTPServer server) {
    this.server = server;
  }

  /**
   * Starts serving {@code collector} on {@code bindAddress:port} ({@code port} 0 picks a free
   * one).
   *
   * @throws IOException when the port cannot be bound
   */
  public static MetricsEndpoint start(String bindAddress, int port, MultiCollector collector) throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(collector);
    return new MetricsEndpoint(
        HTTPServer.builder().hostname(bindAddress).port(port).registry(registry).buildAndStart());
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
