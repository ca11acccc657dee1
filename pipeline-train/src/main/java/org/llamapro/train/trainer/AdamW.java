package org.llamapro.train.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW on the F32 master weights, with the update rule of {@code torch.optim.AdamW}:
 *
 * <pre>
 *   p = p * (1 - lr * wd)                      (matrices only)
 *   m = b1 * m + (1 - b1) * g
 *   v = b2 * v + (1 - b2) * g^2
 *   p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * The moments are plain NDArrays by parameter name, so a checkpoint saves and restores them
 * exactly. {@code t} counts applied updates (a step skipped for overflow does not count).
 */
final class AdamW {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long updates;

  AdamW(
      NDManager stateManager,
      List<TrainableParameter> parameters,
      double beta1,
      double beta2,
      double eps,
      double weightDecay) {
    check("beta1", beta1, 0, 1);
    check("beta2", beta2, 0, 1);
    if (!(eps > 0)) {
      throw new IllegalArgumentException("Invalid AdamW eps: " + eps + " (must be > 0)");
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException(
          "Invalid weight decay: " + weightDecay + " (must be >= 0)");
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    for (TrainableParameter p : parameters) {
      expAvg.put(p.name, stateManager.zeros(p.master.getShape(), DataType.FLOAT32));
      expAvgSq.put(p.name, stateManager.zeros(p.master.getShape(), DataType.FLOAT32));
    }
  }

  private static void check(String what, double value, double low, double high) {
    if (!(value >= low && value < high)) {
      throw new IllegalArgumentException(
          "Invalid AdamW " + what + ": " + value + " (must be in [" + low + ", " + high + "))");
    }
  }

  /**
   * One update of every parameter with its gradient (F32, already averaged over workers) times
   * {@code gradientFactor} (the clipping coefficient).
   */
  void step(
      NDManager scratch,
      List<TrainableParameter> parameters,
      List<NDArray> gradients,
      double learningRate,
      double gradientFactor) {
    updates++;
    double correction1 = 1 - Math.pow(beta1, updates);
    double correction2Sqrt = Math.sqrt(1 - Math.pow(beta2, updates));
    for (int i = 0; i < parameters.size(); i++) {
      TrainableParameter p = parameters.get(i);
      NDArray g = gradients.get(i);
      if (gradientFactor != 1.0) {
        g = g.mul((float) gradientFactor);
      }
      NDArray m = expAvg.get(p.name);
      NDArray v = expAvgSq.get(p.name);
      // Temporaries of this update go to the scratch manager, not the optimizer's.
      m.tempAttach(scratch);
      v.tempAttach(scratch);
      if (p.decays && weightDecay > 0) {
        p.master.muli((float) (1 - learningRate * weightDecay));
      }
      m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
      v.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
      NDArray denominator = v.sqrt().divi((float) correction2Sqrt).addi((float) eps);
      p.master.subi(m.div(denominator).muli((float) (learningRate / correction1)));
    }
  }

  long updates() {
    return updates;
  }

  Map<String, NDArray> expAvg() {
    return expAvg;
  }

  Map<String, NDArray> expAvgSq() {
    return expAvgSq;
  }

  /** Restores the moments (copied into this optimizer's arrays) and the update count. */
  void restore(Map<String, float[]> savedExpAvg, Map<String, float[]> savedExpAvgSq, long count) {
    copyInto(expAvg, savedExpAvg, "exp_avg");
    copyInto(expAvgSq, savedExpAvgSq, "exp_avg_sq");
    this.updates = count;
  }

  private static void copyInto(
      Map<String, NDArray> target, Map<String, float[]> saved, String what) {
    for (Map.Entry<String, NDArray> e : target.entrySet()) {
      float[] values = saved.get(e.getKey());
      if (values == null || values.length != e.getValue().size()) {
        throw new IllegalArgumentException(
            "Checkpoint optimizer state has no " + what + " of the right size for " + e.getKey());
      }
      e.getValue().set(values);
    }
  }
}
