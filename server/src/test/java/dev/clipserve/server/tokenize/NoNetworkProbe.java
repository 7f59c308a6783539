package dev.clipserve.server.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.Permission;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run in a fresh JVM by {@link ClipTokenizerOfflineTest}: installs a SecurityManager and a
 * ProxySelector that record (and refuse) every outgoing connection and host lookup, then loads a
 * tokenizer and encodes a text. Prints {@code CONNECTIONS <n>} then one line per attempt, and
 * {@code IDS <ids>}.
 *
 * <p>Modes: {@code clip} uses {@link ClipTokenizer#load} (must not touch the network); {@code
 * djl-online} calls DJL directly without {@code ai.djl.offline}, the control showing the probe sees
 * DJL's call home when it happens.
 */
public final class NoNetworkProbe {
  private NoNetworkProbe() {}

  @SuppressWarnings("removal")
  public static void main(String[] args) throws IOException {
    Path tokenizerJson = Path.of(args[0]);
    String mode = args[1];
    List<String> attempts = new CopyOnWriteArrayList<>();
    ProxySelector.setDefault(
        new ProxySelector() {
          @Override
          public List<Proxy> select(URI uri) {
            attempts.add("proxy-select " + uri);
            throw new SecurityException("network access refused by NoNetworkProbe: " + uri);
          }

          @Override
          public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
        });
    System.setSecurityManager(
        new SecurityManager() {
          @Override
          public void checkPermission(Permission perm) {}

          @Override
          public void checkPermission(Permission perm, Object context) {}

          @Override
          public void checkConnect(String host, int port) {
            attempts.add("connect " + host + ":" + port);
            throw new SecurityException("network access refused by NoNetworkProbe: " + host);
          }

          @Override
          public void checkConnect(String host, int port, Object context) {
            checkConnect(host, port);
          }
        });
    long[] ids;
    if (mode.equals("clip")) {
      try (ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerJson, 16, 0)) {
        ids = tokenizer.encode("a photo of a cat");
      }
    } else {
      try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson)) {
        ids = tokenizer.encode("a photo of a cat").getIds();
      } catch (RuntimeException e) {
        ids = new long[0];
      }
    }
    // give an asynchronous call-home thread, if any, the chance to run before reporting
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t != Thread.currentThread() && !t.isDaemon() && t.isAlive()) {
        try {
          t.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    System.out.println("CONNECTIONS " + attempts.size());
    attempts.forEach(a -> System.out.println("ATTEMPT " + a));
    System.out.println("IDS " + java.util.Arrays.toString(ids));
    System.exit(0);
  }
}
