package dev.clipserve.server;

import ai.onnxruntime.OrtEnvironment;
import dev.clipserve.server.inference.OrtRuntime;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code bin/clipserve-server}: reads the configuration, serves until SIGTERM or SIGINT, then
 * drains and exits 0. Exit codes: 0 after a clean stop (or {@code --help}), 1 when start-up fails
 * (a model does not load, the port is taken), 2 for a bad option.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    // DJL's tokenizer would call home without this; it must be set before its first use.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    ServerConfig config;
    try {
      config = ServerConfig.parse(args, System.getenv());
    } catch (ServerConfig.HelpRequested help) {
      System.out.println(help.getMessage());
      System.exit(0);
      return;
    } catch (ServerConfig.ConfigException e) {
      System.err.println("clipserve-server: " + e.getMessage());
      System.exit(2);
      return;
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    ClipServer server =
        new ClipServer(
            config,
            NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.port())),
            new OrtRuntime(OrtEnvironment.getEnvironment(), config.inference()),
            RunnerDecorator.NONE);
    Thread drain = new Thread(server::shutdown, "clipserve-shutdown");
    Signal.handle(new Signal("TERM"), sig -> startOnce(drain));
    Signal.handle(new Signal("INT"), sig -> startOnce(drain));
    try {
      server.start();
    } catch (ModelLoadException e) {
      log.error("start-up failed: {}", e.getMessage());
      System.exit(1);
    } catch (IOException e) {
      log.error("cannot listen on {}:{}: {}", config.bindAddress(), config.port(), e.getMessage());
      System.exit(1);
    }
    long uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
    log.info(
        "serving on {}:{}; started in {} ms (since JVM start)", config.bindAddress(), server.port(), uptimeMs);
    System.out.println("clipserve-server listening on port " + server.port());
    System.out.flush();
    server.awaitStopped();
    System.exit(0);
  }

  private static synchronized void startOnce(Thread drain) {
    if (drain.getState() == Thread.State.NEW) {
      drain.start();
    }
  }
}
