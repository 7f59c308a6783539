package dev.clipserve.server;

import java.security.Permission;

/**
 * Runs {@link Main} under a security manager that refuses (and reports) every connection or name
 * lookup that is not loopback. Needs {@code -Djava.security.manager=allow} (Java 17+). Used by
 * {@link ServerProcessIT} to show that the server makes no outbound network call.
 */
@SuppressWarnings("removal")
public final class NoNetworkGuard extends SecurityManager {
  static final String ACTIVE = "NETWORK-GUARD: active";
  static final String BLOCKED = "NETWORK-GUARD: blocked";

  public static void main(String[] args) throws Exception {
    System.setSecurityManager(new NoNetworkGuard());
    System.err.println(ACTIVE);
    Main.main(args);
  }

  @Override
  public void checkPermission(Permission perm) {}

  @Override
  public void checkPermission(Permission perm, Object context) {}

  @Override
  public void checkConnect(String host, int port) {
    if (!isLoopback(host)) {
      SecurityException e = new SecurityException(BLOCKED + " connection to " + host + ":" + port);
      e.printStackTrace();
      throw e;
    }
  }

  @Override
  public void checkConnect(String host, int port, Object context) {
    checkConnect(host, port);
  }

  static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("0.0.0.0") || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0");
  }
}
