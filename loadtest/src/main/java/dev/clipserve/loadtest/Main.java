package dev.clipserve.loadtest;

import dev.clipserve.loadtest.run.NanoClock;
import dev.clipserve.loadtest.workload.GrpcTarget;

/**
 * {@code clipserve-loadtest}: load generator and A/B teacher-student evaluation. Exit status 0 on
 * success, 2 on a usage error, 1 when the run fails.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    Options options;
    try {
      options = Options.parse(args);
    } catch (Options.HelpRequested h) {
      System.out.print(Options.USAGE);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println("clipserve-loadtest: " + e.getMessage());
      System.err.print(Options.USAGE);
      System.exit(2);
      return;
    }
    int status = 0;
    try (GrpcTarget target = GrpcTarget.connect(options.target())) {
      new LoadTest(options, target, NanoClock.system(), System.err::println).run();
    } catch (Exception e) {
      System.err.println("clipserve-loadtest: failed: " + e);
      status = 1;
    }
    System.exit(status);
  }
}
