package dev.clipserve.server.inference;

/** The ONNX Runtime execution provider a session runs on. */
public enum ExecutionProvider {
  CPU,
  CUDA
}
