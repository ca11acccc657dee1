package org.llamapro.train.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * One weight that learns: the model's compute copy (F32 or F16; the one the forward reads and the
 * gradient lands on) and the F32 master copy the optimizer updates. With F32 compute both are the
 * same array. Weight decay applies to matrices only, never to norms or biases.
 */
final class TrainableParameter {
  final String name;
  final NDArray compute;
  final NDArray master;
  final boolean decays;

  TrainableParameter(String name, NDArray compute, NDArray master) {
    this.name = name;
    this.compute = compute;
    this.master = master;
    this.decays = master.getShape().dimension() >= 2;
    compute.setRequiresGradient(true);
  }

  boolean hasSeparateMaster() {
    return compute != master;
  }

  long size() {
    return master.size();
  }

  /**
   * The accumulated gradient as F32 in {@code scratch} (unscaled by {@code 1 / lossScale}), or
   * zeros when no backward reached this weight.
   */
  NDArray gradient(NDManager scratch, double lossScale) {
    if (!compute.hasGradient()) {
      return scratch.zeros(master.getShape(), DataType.FLOAT32);
    }
    NDArray raw = compute.getGradient();
    raw.attach(scratch); // the wrapper, not the gradient itself: closing it keeps .grad
    NDArray f32 = raw.toType(DataType.FLOAT32, true);
    return lossScale == 1.0 ? f32 : f32.divi((float) lossScale);
  }

  /**
   * Sets the accumulated gradient to zero (the next step accumulates into it afresh). A fill, not
   * {@code g - g}: after an F16 overflow the gradient holds inf and NaN, which subtraction keeps.
   */
  void zeroGradient() {
    if (compute.hasGradient()) {
      JniUtils.zeroGrad((PtNDArray) compute);
    }
  }

  /** After an update of the master, refreshes the compute copy (F16) from it. */
  void syncCompute() {
    if (!hasSeparateMaster()) {
      return;
    }
    NDArray half = master.toType(compute.getDataType(), true);
    compute.intern(half); // compute now holds the new values; half is released
    compute.setRequiresGradient(true);
  }
}
