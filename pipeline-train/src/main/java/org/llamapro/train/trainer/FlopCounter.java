package org.llamapro.train.trainer;

import org.llamapro.train.model.LlamaConfig;

/**
 * Model FLOPs per token for what a step actually computes (2 FLOPs per multiply-add; matmuls only).
 * Per block, the forward costs {@code 2 * P} for its projections (P weights) plus {@code 4 * T * Hq
 * * hd} for attention (unmasked scores and values over all T keys, as computed). A training step
 * runs:
 *
 * <ul>
 *   <li>the forward without a tape through every block and the head;
 *   <li>the recomputed forward of every block from the lowest trainable one up, and the head;
 *   <li>the backward of the same stages: activation gradients ({@code 2 * P} plus twice the
 *       attention) and, for trainable weights only, weight gradients ({@code 2 * P}).
 * </ul>
 */
public final class FlopCounter {
  private FlopCounter() {}

  /** Matmul weights of one block (projections; norms and biases are negligible). */
  static double blockMatmulWeights(LlamaConfig c) {
    double d = c.hiddenSize();
    double q = (double) c.numAttentionHeads() * c.headDim();
    double kv = (double) c.numKeyValueHeads() * c.headDim();
    return d * q + 2 * d * kv + q * d + 3 * d * c.intermediateSize();
  }

  /** Forward FLOPs per token of one block at sequence length {@code t}. */
  static double blockForward(LlamaConfig c, int t) {
    return 2 * blockMatmulWeights(c) + 4.0 * t * c.numAttentionHeads() * c.headDim();
  }

  static double headForward(LlamaConfig c) {
    return 2.0 * c.vocabSize() * c.hiddenSize();
  }

  /** Forward only (inference, validation): FLOPs per token. */
  public static double forwardPerToken(LlamaConfig c, int seqLen) {
    return c.numHiddenLayers() * blockForward(c, seqLen) + headForward(c);
  }

  /** One training step's FLOPs per token with layer-wise recomputation. */
  public static double trainingPerToken(LlamaConfig c, int seqLen, TrainableSet trainable) {
    int layers = c.numHiddenLayers();
    int lowest = Math.max(0, trainable.lowestStage(layers));
    double weights = 2 * blockMatmulWeights(c);
    double attention = 4.0 * seqLen * c.numAttentionHeads() * c.headDim();
    double flops = forwardPerToken(c, seqLen); // forward without a tape
    flops += headForward(c); // recomputed head
    flops += headForward(c); // head: gradient of its input
    if (trainable.head()) {
      flops += headForward(c); // lm_head weight gradient
    }
    for (int layer = lowest; layer < layers; layer++) {
      flops += weights + attention; // recomputed forward
      flops += weights + 2 * attention; // activation gradients
      if (trainable.blocks().contains(layer)) {
        flops += weights; // weight gradients
      }
    }
    return flops;
  }
}
