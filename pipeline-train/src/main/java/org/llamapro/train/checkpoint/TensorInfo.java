package org.llamapro.train.checkpoint;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * A tensor as a safetensors header describes it. {@code begin} and {@code end} are byte offsets
 * relative to the start of the data section (just after the header), end exclusive.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
  public TensorInfo {
    requireNonNull(name, "name is null");
    requireNonNull(dtype, "dtype is null");
    requireNonNull(shape, "shape is null");
    shape = shape.clone();
    long bytes = Shapes.byteLength(name, shape, dtype);
    if (begin < 0 || end - begin != bytes) {
      throw new IllegalArgumentException(
          "Tensor '"
              + name
              + "': offsets ["
              + begin
              + ", "
              + end
              + "] do not hold shape "
              + Shapes.format(shape)
              + " x "
              + dtype
              + " ("
              + bytes
              + " bytes)");
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements (1 for a scalar, whose shape is {@code []}). */
  public long numel() {
    return Shapes.numelOrMinusOne(shape);
  }

  /** Bytes of the tensor's data: {@code end - begin}. */
  public long byteLength() {
    return end - begin;
  }

  /** The name, type and shape, without the offsets. */
  public TensorSpec spec() {
    return new TensorSpec(name, dtype, shape);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TensorInfo that
        && name.equals(that.name)
        && dtype == that.dtype
        && Arrays.equals(shape, that.shape)
        && begin == that.begin
        && end == that.end;
  }

  @Override
  public int hashCode() {
    int hash = name.hashCode() * 31 + dtype.hashCode();
    hash = hash * 31 + Arrays.hashCode(shape);
    return hash * 31 + Long.hashCode(begin * 31 + end);
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + Shapes.format(shape) + " [" + begin + ", " + end + ")";
  }
}
