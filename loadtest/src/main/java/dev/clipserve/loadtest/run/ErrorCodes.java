package dev.clipserve.loadtest.run;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Names a failure for error counts: the gRPC status code, else the exception's simple name. */
public final class ErrorCodes {
  private ErrorCodes() {}

  /** Returns e.g. {@code "DEADLINE_EXCEEDED"} or {@code "IllegalStateException"}. */
  public static String of(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    Status status = Status.fromThrowable(t);
    if (status.getCode() != Status.Code.UNKNOWN || t instanceof io.grpc.StatusRuntimeException) {
      return status.getCode().name();
    }
    return t.getClass().getSimpleName();
  }
}
