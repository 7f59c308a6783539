package dev.clipserve.server.inference;

/** Which execution provider a session should use. */
public enum ProviderPreference {
  /** CUDA when it loads (onnxruntime_gpu build, a GPU, CUDA 12 + cuDNN 9), otherwise CPU. */
  AUTO,
  /** CPU only, even where CUDA would load. */
  CPU,
  /** CUDA or fail the start. */
  CUDA
}
