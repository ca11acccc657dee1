package org.llamapro.train.checkpoint;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/** A tensor to write: its name, element type and shape (row-major). */
public record TensorSpec(String name, DType dtype, long[] shape) {
  public TensorSpec {
    requireNonNull(name, "name is null");
    requireNonNull(dtype, "dtype is null");
    requireNonNull(shape, "shape is null");
    shape = shape.clone();
    Shapes.byteLength(name, shape, dtype); // validates: dimensions >= 0, no overflow
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements (1 for a scalar, whose shape is {@code []}). */
  public long numel() {
    return Shapes.numelOrMinusOne(shape);
  }

  /** Bytes of the tensor's data: numel x dtype size. */
  public long byteLength() {
    return numel() * dtype.byteSize();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TensorSpec that
        && name.equals(that.name)
        && dtype == that.dtype
        && Arrays.equals(shape, that.shape);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + Shapes.format(shape);
  }
}
