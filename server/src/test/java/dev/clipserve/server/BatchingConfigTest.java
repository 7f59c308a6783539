package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.clipserve.server.batch.BatchPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchingConfigTest {

  private static ModelManifest manifestWithBatching() {
    JsonObject o = ManifestFixtures.image();
    JsonObject b = new JsonObject();
    b.addProperty("max_batch_size", 8);
    JsonArray preferred = new JsonArray();
    preferred.add(4);
    b.add("preferred_batch_sizes", preferred);
    b.addProperty("max_queue_delay_us", 500);
    b.addProperty("max_queue_size", 64);
    b.addProperty("default_timeout_ms", 2000);
    o.add("batching", b);
    return ManifestFixtures.parse(o);
  }

  @Test
  void unsetFlagsKeepTheManifestPolicy() {
    BatchPolicy p = ServerConfig.parse(new String[0], Map.of()).batching().policyFor(manifestWithBatching());
    assertEquals(new BatchPolicy(8, List.of(4), Duration.ofNanos(500_000), 64, Duration.ofSeconds(2)), p);
  }

  @Test
  void flagsAndEnvironmentOverrideTheManifest() {
    ServerConfig c =
        ServerConfig.parse(
            new String[] {"--max-batch-size", "32", "--preferred-batch-sizes", "16,32", "--max-queue-size=0"},
            Map.of("CLIPSERVE_MAX_QUEUE_DELAY_US", "0", "CLIPSERVE_DEFAULT_TIMEOUT_MS", "0"));
    BatchPolicy p = c.batching().policyFor(manifestWithBatching());
    assertEquals(
        new BatchPolicy(32, List.of(16, 32), Duration.ZERO, BatchPolicy.DEFAULT_MAX_QUEUE_SIZE, Duration.ZERO), p);
  }

  @Test
  void maxBatchSizeOneTurnsBatchingOffAndDropsLargerPreferredSizes() {
    BatchPolicy p =
        ServerConfig.parse(new String[] {"--max-batch-size", "1"}, Map.of()).batching().policyFor(manifestWithBatching());
    assertEquals(1, p.maxBatchSize());
    assertEquals(List.of(), p.preferredBatchSizes());
  }

  @Test
  void metricsPortDefaultsTo9464AndNoMetricsTurnsItOff() {
    assertEquals(9464, ServerConfig.parse(new String[0], Map.of()).metricsPort());
    assertEquals(0, ServerConfig.parse(new String[] {"--no-metrics"}, Map.of()).metricsPort());
    assertEquals(9100, ServerConfig.parse(new String[0], Map.of("CLIPSERVE_METRICS_PORT", "9100")).metricsPort());
  }

  @Test
  void badBatchingValuesNameTheFlag() {
    var e =
        assertThrows(
            ServerConfig.ConfigException.class,
            () -> ServerConfig.parse(new String[] {"--preferred-batch-sizes", "4,x"}, Map.of()));
    assertTrue(e.getMessage().contains("--preferred-batch-sizes"), e.getMessage());
    var executors =
        assertThrows(
            ServerConfig.ConfigException.class, () -> ServerConfig.parse(new String[] {"--batch-executors", "0"}, Map.of()));
    assertTrue(executors.getMessage().contains("--batch-executors"), executors.getMessage());
    var negative =
        assertThrows(
            ServerConfig.ConfigException.class, () -> ServerConfig.parse(new String[] {"--max-queue-size", "-1"}, Map.of()));
    assertTrue(negative.getMessage().contains("--max-queue-size"), negative.getMessage());
  }

  @Test
  void preferredSizeAboveMaxIsRefusedNamingTheModel() {
    var e =
        assertThrows(
            ServerConfig.ConfigException.class,
            () ->
                ServerConfig.parse(new String[] {"--preferred-batch-sizes", "4", "--max-batch-size", "2"}, Map.of())
                    .batching()
                    .policyFor(manifestWithBatching()));
    assertTrue(e.getMessage().contains("model"), e.getMessage());
  }
}
