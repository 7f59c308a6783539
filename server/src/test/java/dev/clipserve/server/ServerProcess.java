package dev.clipserve.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real server process started with {@code --port 0}: its output, and the port it printed. */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("clipserve-server listening on port (\\d+)");

  final Process process;
  final List<String> output = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final Thread reader;

  ServerProcess(ProcessBuilder builder) throws IOException {
    builder.redirectErrorStream(true);
    process = builder.start();
    reader =
        new Thread(
            () -> {
              try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  output.add(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException e) {
                port.completeExceptionally(e);
              }
              port.completeExceptionally(new IllegalStateException("server exited before listening:\n" + String.join("\n", output)));
            },
            "server-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits for the "listening on port N" line. */
  int awaitPort(Duration timeout) throws Exception {
    return port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends SIGTERM and waits for the exit code. */
  int terminate(Duration timeout) throws InterruptedException {
    process.toHandle().destroy(); // SIGTERM on Unix; unlike Process.destroy it keeps the output pipe open
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("server did not exit within " + timeout + ":\n" + String.join("\n", output));
    }
    reader.join(timeout.toMillis()); // the rest of its output
    return process.exitValue();
  }

  String log() {
    return String.join("\n", output);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
