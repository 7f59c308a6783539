package dev.clipserve.server.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.List;

/**
 * An open ONNX Runtime session with the provider it ended up on and its graph signature.
 *
 * @param session the session; owned (closed by {@link #close})
 * @param provider the execution provider in use
 * @param providerNote why the provider was chosen, e.g. "CUDA unavailable: ..." (empty if none)
 * @param inputs the graph's inputs as the session reports them
 * @param outputs the graph's outputs as the session reports them
 */
public record OnnxSession(
    OrtSession session,
    ExecutionProvider provider,
    String providerNote,
    List<TensorSignature> inputs,
    List<TensorSignature> outputs)
    implements AutoCloseable {

  public OnnxSession {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
