package dev.clipserve.server.bench;

import java.util.Arrays;

/**
 * {@code bin/clipserve-bench SUBCOMMAND [options]}: dispatches to one benchmark. A benchmark
 * measures and reports; it asserts nothing.
 *
 * <ul>
 *   <li>{@code encode}: EncodeImages throughput through the server (loopback gRPC) next to raw ONNX
 *       Runtime on the same models ({@link EncodeBench}).
 *   <li>{@code batcher}: dynamic batching against raw ONNX Runtime and against no batching, 32
 *       concurrent single-image callers ({@link BatcherBench}).
 *   <li>{@code search}: Lucene HNSW build time, query latency and recall@10 against the exact scan on
 *       synthetic unit vectors, with and without textness ({@link SearchBench}).
 * </ul>
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    String command = args.length == 0 ? "--help" : args[0];
    String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
    try {
      run(command, rest);
    } catch (BenchOptions.UsageException e) {
      System.err.println("clipserve-bench " + command + ": " + e.getMessage() + " (see --help)");
      System.exit(2);
    }
  }

  private static void run(String command, String[] rest) throws Exception {
    switch (command) {
      case "encode" -> EncodeBench.main(rest);
      case "batcher" -> BatcherBench.main(rest);
      case "search" -> SearchBench.main(rest);
      case "-h", "--help", "help" -> {
        System.out.println("usage: clipserve-bench encode [--models DIR] [--batch-sizes 1,8,32] [--seconds 8]");
        System.out.println("                              [--threads N] [--out target/bench/encode.json]");
        System.out.println("       clipserve-bench batcher [--models DIR] [--seconds 6] [--warmup 2] [--callers 32]");
        System.out.println("                              [--max-batch-size best] [--max-queue-delay-us auto]");
        System.out.println("                              [--instances student] [--out target/bench/batcher.json]");
        System.out.println("       clipserve-bench search [--sizes 100000,1000000] [--dims 128,512] [--ef 50,100,200,400]");
        System.out.println("                              [--m 16] [--beam 100] [--queries 200] [--distribution clustered|uniform]");
        System.out.println("                              [--out target/bench/search.json]");
      }
      default -> {
        System.err.println("clipserve-bench: unknown benchmark '" + command + "' (see --help)");
        System.exit(2);
      }
    }
  }
}
