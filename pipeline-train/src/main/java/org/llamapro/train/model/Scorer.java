package org.llamapro.train.model;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/** Next-token negative log-likelihood of token sequences under a model. */
public final class Scorer {
  /** Summed NLL in nats over {@code tokens} predicted positions. */
  public record Score(double nllSum, long tokens) {
    public double meanNll() {
      return tokens == 0 ? Double.NaN : nllSum / tokens;
    }
  }

  private final LlamaModel model;

  public Scorer(LlamaModel model) {
    this.model = requireNonNull(model, "model is null");
  }

  /**
   * Scores positions 1..n-1 of {@code ids} given the tokens before each. Refuses more tokens than
   * the model's {@code max_position_embeddings}.
   */
  public Score score(long[] ids) {
    if (ids.length < 2) {
      throw new IllegalArgumentException(
          "Scoring needs at least 2 tokens (one to predict from), got " + ids.length);
    }
    int maxPositions = model.config().maxPositionEmbeddings();
    if (ids.length > maxPositions) {
      // RoPE computes something past the trained context, but not a score worth reporting.
      throw new IllegalArgumentException(
          ids.length
              + " tokens is more than the model's max_position_embeddings ("
              + maxPositions
              + " in config.json); score at most "
              + maxPositions
              + " tokens");
    }
    int vocab = model.config().vocabSize();
    for (long id : ids) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "Token id " + id + " is outside the model's vocabulary [0, " + vocab + ")");
      }
    }
    try (NDManager call = model.manager().newSubManager()) {
      NDArray input = call.create(ids).reshape(1, ids.length); // (1, T)
      NDArray logits = model.forward(input, null).toType(DataType.FLOAT32, false); // (1, T, V)
      return nll(logits, input);
    }
  }

  /**
   * Sum of next-token NLL and the number of targets: logits (B, T, V) predict ids (B, T) shifted by
   * one, so (B, T - 1) targets.
   */
  static Score nll(NDArray logits, NDArray ids) {
    long length = ids.getShape().get(1);
    NDArray predicting = logits.get(new NDIndex(":, :{}, :", length - 1)); // (B, T-1, V)
    NDArray targets = ids.get(new NDIndex(":, 1:")).expandDims(2); // (B, T-1, 1)
    NDArray logProbs = predicting.logSoftmax(2); // (B, T-1, V)
    NDArray picked = logProbs.gather(targets, 2); // (B, T-1, 1)
    double sum = -picked.sum().toType(DataType.FLOAT64, false).getDouble();
    return new Score(sum, targets.getShape().size());
  }
}
