package org.llamapro.train.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * RMSNorm as transformers computes it: {@code w * x / sqrt(mean(x^2) + eps)}.
 *
 * <p>In F16 the squares can overflow (|x| > 256 gives inf), so the F16 path first divides x by its
 * row maximum c (a constant for autograd). RMSNorm is scale-invariant apart from eps, which is
 * scaled to {@code eps / c^2} so the result is the same function.
 */
final class RmsNorm {
  private RmsNorm() {}

  /** x (..., D), weight (D) -> (..., D). */
  static NDArray apply(NDArray x, NDArray weight, double eps) {
    int last = x.getShape().dimension() - 1;
    if (x.getDataType() == DataType.FLOAT16) {
      NDArray c = x.abs().max(new int[] {last}, true).stopGradient().add(1e-4f); // (..., 1)
      NDArray scaled = x.div(c); // (..., D) in [-1, 1]
      NDArray variance = scaled.square().mean(new int[] {last}, true); // (..., 1)
      NDArray scaledEps = c.square().pow(-1).mul((float) eps); // (..., 1)
      return scaled.div(variance.add(scaledEps).sqrt()).mul(weight);
    }
    NDArray variance = x.square().mean(new int[] {last}, true); // (..., 1)
    return x.div(variance.add((float) eps).sqrt()).mul(weight); // (..., D)
  }
}
