package dev.clipserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipserve.server.inference.ProviderPreference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

  @Test
  void defaultsMatchTheDocumentedValues() {
    ServerConfig c = ServerConfig.parse(new String[0], Map.of());
    assertEquals(50051, c.port());
    assertEquals("0.0.0.0", c.bindAddress());
    assertEquals(Path.of("models"), c.modelsDir());
    assertEquals(0, c.inference().intraOpThreads());
    assertEquals(ProviderPreference.AUTO, c.inference().provider());
    assertEquals(256, c.maxItemsPerRequest());
    assertEquals(40_000_000L, c.maxImagePixels());
    assertEquals(10_000, c.maxTextChars());
    assertEquals(Duration.ofSeconds(30), c.shutdownGrace());
    assertTrue(c.executorThreads() > 0);
    assertEquals(false, c.inference().spinning());
  }

  @Test
  void spinningIsABoolean() {
    assertEquals(true, ServerConfig.parse(new String[] {"--spinning", "true"}, Map.of()).inference().spinning());
    assertEquals(true, ServerConfig.parse(new String[0], Map.of("CLIPSERVE_SPINNING", "on")).inference().spinning());
    assertThrows(ServerConfig.ConfigException.class, () -> ServerConfig.parse(new String[] {"--spinning=maybe"}, Map.of()));
  }

  @Test
  void environmentOverridesDefaults() {
    ServerConfig c =
        ServerConfig.parse(
            new String[0],
            Map.of("CLIPSERVE_PORT", "6000", "CLIPSERVE_MODELS", "/srv/models", "CLIPSERVE_THREADS", "3",
                "CLIPSERVE_PROVIDER", "cpu"));
    assertEquals(6000, c.port());
    assertEquals(Path.of("/srv/models"), c.modelsDir());
    assertEquals(3, c.inference().intraOpThreads());
    assertEquals(ProviderPreference.CPU, c.inference().provider());
  }

  @Test
  void flagsOverrideEnvironmentInBothSpellings() {
    ServerConfig c =
        ServerConfig.parse(
            new String[] {"--port", "7000", "--bind=127.0.0.1", "--threads=2", "--max-items", "8"},
            Map.of("CLIPSERVE_PORT", "6000", "CLIPSERVE_BIND", "10.0.0.1"));
    assertEquals(7000, c.port());
    assertEquals("127.0.0.1", c.bindAddress());
    assertEquals(2, c.inference().intraOpThreads());
    assertEquals(8, c.maxItemsPerRequest());
  }

  @Test
  void portZeroIsAllowed() {
    assertEquals(0, ServerConfig.parse(new String[] {"--port", "0"}, Map.of()).port());
  }

  @Test
  void rejectsUnknownFlag() {
    var e = assertThrows(ServerConfig.ConfigException.class, () -> ServerConfig.parse(new String[] {"--prot", "1"}, Map.of()));
    assertTrue(e.getMessage().contains("--prot"), e.getMessage());
  }

  @Test
  void rejectsFlagWithoutValue() {
    var e = assertThrows(ServerConfig.ConfigException.class, () -> ServerConfig.parse(new String[] {"--port"}, Map.of()));
    assertTrue(e.getMessage().contains("--port needs a value"), e.getMessage());
  }

  @Test
  void rejectsNonNumericAndOutOfRangeValues() {
    var bad = assertThrows(ServerConfig.ConfigException.class,
        () -> ServerConfig.parse(new String[0], Map.of("CLIPSERVE_PORT", "http")));
    assertTrue(bad.getMessage().contains("--port"), bad.getMessage());
    var range = assertThrows(ServerConfig.ConfigException.class,
        () -> ServerConfig.parse(new String[] {"--port", "70000"}, Map.of()));
    assertTrue(range.getMessage().contains("--port"), range.getMessage());
    var items = assertThrows(ServerConfig.ConfigException.class,
        () -> ServerConfig.parse(new String[] {"--max-items", "0"}, Map.of()));
    assertTrue(items.getMessage().contains("--max-items"), items.getMessage());
  }

  @Test
  void rejectsUnknownProvider() {
    var e = assertThrows(ServerConfig.ConfigException.class,
        () -> ServerConfig.parse(new String[] {"--provider", "tpu"}, Map.of()));
    assertTrue(e.getMessage().contains("tpu"), e.getMessage());
  }

  @Test
  void helpListsEveryFlagWithItsEnvironmentVariable() {
    var help = assertThrows(ServerConfig.HelpRequested.class, () -> ServerConfig.parse(new String[] {"--help"}, Map.of()));
    for (ServerConfig.Option o : ServerConfig.OPTIONS) {
      assertTrue(help.getMessage().contains(o.flag()), o.flag());
      assertTrue(help.getMessage().contains(o.env()), o.env());
    }
  }
}
