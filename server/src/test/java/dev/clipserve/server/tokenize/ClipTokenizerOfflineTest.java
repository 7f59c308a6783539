package dev.clipserve.server.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading and using a tokenizer makes no network call. Each case runs {@link NoNetworkProbe} in a
 * fresh JVM (so DJL's one-time initialisation really happens there) with neither {@code
 * ai.djl.offline} nor {@code DJL_OFFLINE} set and an empty DJL cache directory (so the native
 * library is extracted from the jar there), under a SecurityManager that records and refuses every
 * connection and host lookup.
 */
class ClipTokenizerOfflineTest {
  static final Path TOKENIZER =
      Paths.get("src/test/resources/models/tiny-teacher-text/tokenizer.json").toAbsolutePath();

  @Test
  void loadingAndEncodingMakeNoNetworkCall(@TempDir Path cache) throws Exception {
    String out = runProbe("clip", cache);
    assertTrue(out.contains("CONNECTIONS 0"), out);
    assertTrue(out.contains("IDS [664, 320, 556, 517, 320, 569, 665, 0"), out);
  }

  @Test
  void probeDetectsDjlCallingHomeWhenNotOffline(@TempDir Path cache) throws Exception {
    // Control: without ai.djl.offline, DJL 0.38 contacts the EC2 metadata address on load. If this
    // stops failing (DJL changed), the test above still proves nothing leaks but this one says so.
    String out = runProbe("djl-online", cache);
    assertTrue(out.contains("ATTEMPT connect "), out);
  }

  static String runProbe(String mode, Path cache) throws IOException, InterruptedException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            List.of(
                java,
                "-Djava.security.manager=allow",
                "-cp",
                System.getProperty("java.class.path"),
                NoNetworkProbe.class.getName(),
                TOKENIZER.toString(),
                mode));
    pb.environment().remove("DJL_OFFLINE");
    pb.environment().put("DJL_CACHE_DIR", cache.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    byte[] bytes = p.getInputStream().readAllBytes();
    boolean exited = p.waitFor(60, TimeUnit.SECONDS);
    String out = new String(bytes, StandardCharsets.UTF_8);
    assertTrue(exited, "probe did not exit: " + out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
