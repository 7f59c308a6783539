package dev.clipserve.server.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens ONNX Runtime sessions on one shared {@link OrtEnvironment}: CUDA first (unless the
 * options say CPU), falling back to CPU with the same options when the CUDA provider does not
 * load. The choice is made per model when its session opens, and logged.
 *
 * <p>Thread-safe; holds no sessions itself.
 */
public final class OrtRuntime {
  private static final Logger log = LoggerFactory.getLogger(OrtRuntime.class);

  private final OrtEnvironment environment;
  private final InferenceOptions options;

  /**
   * @param environment the process's ONNX Runtime environment (not closed here)
   * @param options thread counts and provider preference for every session
   */
  public OrtRuntime(OrtEnvironment environment, InferenceOptions options) {
    this.environment = environment;
    this.options = options;
  }

  /** The shared environment (for making tensors). */
  public OrtEnvironment environment() {
    return environment;
  }

  /**
   * Opens the ONNX file of one model.
   *
   * @param modelName used in log lines and errors
   * @throws OrtException when the file cannot be loaded, or CUDA was required and did not load
   */
  public OnnxSession open(String modelName, Path onnxFile) throws OrtException {
    String note = "";
    if (options.provider() != ProviderPreference.CPU) {
      SessionOptions cudaOptions = baseOptions();
      try {
        cudaOptions.addCUDA(0);
        OrtSession session = environment.createSession(onnxFile.toString(), cudaOptions);
        log.info("model {}: execution provider CUDA", modelName);
        return describe(session, ExecutionProvider.CUDA, "");
      } catch (OrtException | RuntimeException | LinkageError e) {
        note = "CUDA unavailable: " + firstLine(e);
        if (options.provider() == ProviderPreference.CUDA) {
          throw new OrtException("model " + modelName + ": CUDA was required (--provider cuda) but " + note);
        }
      } finally {
        cudaOptions.close();
      }
    }
    try (SessionOptions cpuOptions = baseOptions()) {
      OrtSession session = environment.createSession(onnxFile.toString(), cpuOptions);
      if (note.isEmpty()) {
        log.info("model {}: execution provider CPU (--provider cpu)", modelName);
      } else {
        log.info("model {}: execution provider CPU ({})", modelName, note);
      }
      return describe(session, ExecutionProvider.CPU, note);
    }
  }

  private SessionOptions baseOptions() throws OrtException {
    SessionOptions o = new SessionOptions();
    o.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
    o.addConfigEntry("session.intra_op.allow_spinning", options.spinning() ? "1" : "0");
    if (options.intraOpThreads() > 0) {
      o.setIntraOpNumThreads(options.intraOpThreads());
    }
    if (options.interOpThreads() > 0) {
      o.setInterOpNumThreads(options.interOpThreads());
    }
    return o;
  }

  private static OnnxSession describe(OrtSession session, ExecutionProvider provider, String note)
      throws OrtException {
    return new OnnxSession(
        session, provider, note, signatures(session.getInputInfo()), signatures(session.getOutputInfo()));
  }

  private static List<TensorSignature> signatures(Map<String, NodeInfo> infos) {
    List<TensorSignature> out = new ArrayList<>();
    for (NodeInfo node : infos.values()) {
      ValueInfo info = node.getInfo();
      if (info instanceof TensorInfo t) {
        out.add(new TensorSignature(node.getName(), t.type.name(), t.getShape()));
      } else {
        out.add(new TensorSignature(node.getName(), "UNKNOWN", new long[0]));
      }
    }
    return out;
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl >= 0 ? m.substring(0, nl) : m;
  }
}
