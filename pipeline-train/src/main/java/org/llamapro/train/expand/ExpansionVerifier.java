package org.llamapro.train.expand;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.llamapro.train.model.ComputeTarget;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.PretrainedModels;

/**
 * Runs the same token sequences through a base and an expanded model and reports the largest logit
 * difference. An identity expansion must give exactly 0 in F32: the new blocks add zero to the
 * residual stream.
 */
public final class ExpansionVerifier {
  /** The comparison's outcome. */
  public record Result(int sequences, int length, double maxAbsDifference, boolean identical) {}

  private ExpansionVerifier() {}

  public static Result verify(
      Path base, Path expanded, ComputeTarget target, int sequences, int length, long seed) {
    try (LlamaModel a = PretrainedModels.load(base, target);
        LlamaModel b = PretrainedModels.load(expanded, target)) {
      return compare(a, b, sequences, length, seed);
    }
  }

  /** Random token sequences (BOS first) through both models. */
  public static Result compare(
      LlamaModel base, LlamaModel expanded, int sequences, int length, long seed) {
    if (base.config().vocabSize() != expanded.config().vocabSize()) {
      throw new IllegalArgumentException(
          "The models have different vocabularies: "
              + base.config().vocabSize()
              + " and "
              + expanded.config().vocabSize());
    }
    SplittableRandom random = new SplittableRandom(seed);
    int vocab = base.config().vocabSize();
    long[][] ids = new long[sequences][length];
    for (long[] row : ids) {
      row[0] = 1;
      for (int t = 1; t < length; t++) {
        row[t] = random.nextInt(vocab);
      }
    }
    double max = 0;
    boolean identical = true;
    try (NDManager callA = base.manager().newSubManager();
        NDManager callB = expanded.manager().newSubManager()) {
      NDArray logitsA = base.forward(callA.create(ids), null); // (B, T, V)
      NDArray logitsB = expanded.forward(callB.create(ids), null); // (B, T, V)
      float[] x = logitsA.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
      float[] y = logitsB.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
      for (int i = 0; i < x.length; i++) {
        if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
          identical = false;
        }
        double diff = Math.abs((double) x[i] - y[i]);
        if (Double.isNaN(diff)) {
          diff = Double.POSITIVE_INFINITY;
        }
        max = Math.max(max, diff);
      }
    }
    return new Result(sequences, length, max, identical);
  }
}
