package org.llamapro.train.checkpoint;

import java.util.Arrays;

/** Element and byte counts of shapes, with overflow checks. */
final class Shapes {
  private Shapes() {}

  /** Product of the dimensions; -1 if it overflows a long. Dimensions must be >= 0. */
  static long numelOrMinusOne(long[] shape) {
    long numel = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("Invalid shape " + format(shape) + " (negative size)");
      }
      if (dim != 0 && numel > Long.MAX_VALUE / dim) {
        return -1;
      }
      numel *= dim;
    }
    return numel;
  }

  /** Bytes of a tensor of this shape and type; -1 if it overflows a long. */
  static long byteLengthOrMinusOne(long[] shape, DType dtype) {
    long numel = numelOrMinusOne(shape);
    if (numel < 0 || numel > Long.MAX_VALUE / dtype.byteSize()) {
      return -1;
    }
    return numel * dtype.byteSize();
  }

  static long byteLength(String name, long[] shape, DType dtype) {
    long bytes = byteLengthOrMinusOne(shape, dtype);
    if (bytes < 0) {
      throw new IllegalArgumentException(
          "Tensor '" + name + "': shape " + format(shape) + " x " + dtype + " overflows 64 bits");
    }
    return bytes;
  }

  /** {@code [2, 3]}, the way the error messages show shapes. */
  static String format(long[] shape) {
    return Arrays.toString(shape);
  }
}
