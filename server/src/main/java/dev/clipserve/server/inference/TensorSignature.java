package dev.clipserve.server.inference;

import java.util.Arrays;

/**
 * One input or output of an ONNX graph as the session reports it.
 *
 * @param name the graph's name for the tensor
 * @param elementType element type, e.g. {@code FLOAT}, {@code INT64} (ONNX Runtime's {@code
 *     OnnxJavaType} name; {@code UNKNOWN} for non-tensor values)
 * @param shape dimensions; -1 marks a dynamic (symbolic) dimension
 */
public record TensorSignature(String name, String elementType, long[] shape) {

  public TensorSignature {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Dimension {@code i}, -1 when dynamic. */
  public long dim(int i) {
    return shape[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSignature t
        && name.equals(t.name)
        && elementType.equals(t.elementType)
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + elementType.hashCode()) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + elementType + Arrays.toString(shape);
  }
}
