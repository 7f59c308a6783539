package dev.clipserve.loadtest.workload;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToIntFunction;

/** Adapts gRPC's listenable futures to the item counts a {@code RequestSender} returns. */
final class Calls {
  private Calls() {}

  /** Completes with {@code items.applyAsInt(response)}, or exceptionally with the call's error. */
  static <T> CompletableFuture<Integer> items(ListenableFuture<T> call, ToIntFunction<T> items) {
    CompletableFuture<Integer> out = new CompletableFuture<>();
    Futures.addCallback(call, new FutureCallback<T>() {
      @Override
      public void onSuccess(T response) {
        out.complete(items.applyAsInt(response));
      }

      @Override
      public void onFailure(Throwable t) {
        out.completeExceptionally(t);
      }
    }, MoreExecutors.directExecutor());
    return out;
  }
}
