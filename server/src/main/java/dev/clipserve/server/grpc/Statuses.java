package dev.clipserve.server.grpc;

import dev.clipserve.server.InvalidRequestException;
import dev.clipserve.server.ModelNotFoundException;
import dev.clipserve.server.UnavailableException;
import dev.clipserve.server.inference.InferenceException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place domain exceptions become gRPC status codes. */
final class Statuses {
  private static final Logger log = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {}

  /**
   * INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE keep their message; an inference failure is
   * INTERNAL (logged); anything unexpected is INTERNAL with a generic message (logged).
   */
  static StatusRuntimeException toStatus(String rpc, Throwable e) {
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof InvalidRequestException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof ModelNotFoundException) {
      return Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof UnavailableException) {
      return Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof InferenceException) {
      log.warn("{}: {}", rpc, e.getMessage(), e);
      return Status.INTERNAL.withDescription(e.getMessage()).withCause(e).asRuntimeException();
    }
    log.error("{}: unexpected failure", rpc, e);
    return Status.INTERNAL
        .withDescription(rpc + ": internal error (" + e.getClass().getSimpleName() + ")")
        .withCause(e)
        .asRuntimeException();
  }
}
