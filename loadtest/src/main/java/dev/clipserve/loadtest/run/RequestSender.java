package dev.clipserve.loadtest.run;

import java.util.concurrent.CompletableFuture;

/**
 * Sends one request without blocking and says how many items (images, texts, queries) it carried.
 * Implementations wrap an asynchronous gRPC stub; tests use fakes.
 *
 * <p>Thread-safe: runners call it from their sending thread and from completion callbacks.
 */
@FunctionalInterface
public interface RequestSender {
  /**
   * Starts request number {@code sequence} (0, 1, ...; workloads may use it to vary inputs).
   *
   * @return completes with the item count on success, exceptionally on any failure (a gRPC
   *     status, a deadline); must complete eventually (senders set a per-call deadline)
   */
  CompletableFuture<Integer> send(long sequence);
}
