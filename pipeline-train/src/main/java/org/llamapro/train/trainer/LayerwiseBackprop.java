package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.llamapro.train.model.AttentionContext;
import org.llamapro.train.model.LlamaModel;

/**
 * Forward and backward of one micro-batch with layer-wise recomputation (docs/training.md):
 *
 * <ol>
 *   <li>Forward without a tape, keeping only the input of each block from the lowest trainable
 *       stage up (each block's intermediates are freed as soon as its output exists).
 *   <li>Walk down from the top. The loss (final norm, lm_head, cross entropy) is the top stage. For
 *       each stage, recompute its forward from a copy of its saved input marked as needing a
 *       gradient, and backpropagate {@code sum(output * upstream)}: this yields the gradient for
 *       the stage below, and weight gradients where the weights learn.
 *   <li>Stop at the lowest trainable stage (its input gradient is not even computed).
 * </ol>
 *
 * Frozen weights never require a gradient, so no work is spent on their weight gradients. Weight
 * gradients add up across calls (gradient accumulation) until the trainer zeroes them.
 */
final class LayerwiseBackprop {
  private final LlamaModel model;
  private final int lowestStage; // -1 embedding, 0..L-1 blocks, L head
  private final boolean documentMask;

  LayerwiseBackprop(LlamaModel model, TrainableSet trainable, boolean documentMask) {
    this.model = requireNonNull(model, "model is null");
    this.lowestStage = trainable.lowestStage(model.config().numHiddenLayers());
    this.documentMask = documentMask;
  }

  /** Summed next-token NLL (nats, F32 arithmetic) and the number of targets of a micro-batch. */
  record Loss(double nllSum, long targets) {}

  /**
   * Runs one micro-batch in {@code micro} (closed by the caller). The backward pass differentiates
   * {@code lossWeight * sum(nll)}: the trainer passes {@code lossScale / (targets * microBatches)}
   * so that accumulated gradients are those of the mean loss over the global batch, scaled.
   */
  Loss run(NDManager micro, MicroBatch batch, double lossWeight) {
    GradientTape.recordingOffOnThisThread();
    int layers = model.config().numHiddenLayers();
    NDArray ids = ids(micro, batch); // (B, T)
    AttentionContext context = context(micro, batch);

    // 1. Forward without a tape; saved[l] is the input of stage l (saved[L] feeds the head).
    NDArray[] saved = new NDArray[layers + 1];
    NDArray x = model.embed(ids); // (B, T, D)
    for (int layer = 0; layer < layers; layer++) {
      NDArray y = forwardNoTape(micro, layer, x, context);
      if (layer >= lowestStage) {
        saved[layer] = x;
      } else {
        x.close();
      }
      x = y;
    }
    saved[layers] = x;

    // 2. The loss stage, then the blocks, from the top down.
    double nllSum;
    NDArray upstream;
    try (NDManager stage = micro.newSubManager()) {
      NDArray input = inputCopy(saved[layers], stage, layers > lowestStage);
      NDArray nll;
      try (GradientTape tape = GradientTape.open()) {
        nll = maskedNll(model.head(input), ids, batch, stage); // (B, T-1)
        tape.backward(nll.mul((float) lossWeight));
      }
      nllSum = nll.toType(DataType.FLOAT32, false).sum().getFloat();
      upstream = layers > lowestStage ? keepGradient(input, micro) : null;
    }
    saved[layers].close();
    for (int layer = layers - 1; layer >= Math.max(lowestStage, 0); layer--) {
      NDArray below;
      try (NDManager stage = micro.newSubManager()) {
        NDArray input = inputCopy(saved[layer], stage, layer > lowestStage);
        try (GradientTape tape = GradientTape.open()) {
          NDArray output = model.block(layer, input, context, null); // (B, T, D)
          tape.backward(output.mul(upstream));
        }
        below = layer > lowestStage ? keepGradient(input, micro) : null;
      }
      upstream.close();
      saved[layer].close();
      upstream = below;
    }
    if (lowestStage == -1) {
      try (NDManager stage = micro.newSubManager()) {
        NDArray stageIds = ids.duplicate();
        stageIds.attach(stage);
        try (GradientTape tape = GradientTape.open()) {
          tape.backward(model.embed(stageIds).mul(upstream));
        }
      }
      upstream.close();
    }
    return new Loss(nllSum, batch.targets());
  }

  /** The loss of a micro-batch without a tape or any gradient (validation). */
  Loss evaluate(NDManager micro, MicroBatch batch) {
    GradientTape.recordingOffOnThisThread();
    NDArray ids = ids(micro, batch);
    AttentionContext context = context(micro, batch);
    NDArray x = model.embed(ids); // (B, T, D)
    for (int layer = 0; layer < model.config().numHiddenLayers(); layer++) {
      NDArray y = forwardNoTape(micro, layer, x, context);
      x.close();
      x = y;
    }
    NDArray nll = maskedNll(model.head(x), ids, batch, micro);
    return new Loss(nll.toType(DataType.FLOAT32, false).sum().getFloat(), batch.targets());
  }

  private static NDArray ids(NDManager micro, MicroBatch batch) {
    return micro.create(batch.tokens()).reshape(batch.size(), batch.seqLen());
  }

  private AttentionContext context(NDManager micro, MicroBatch batch) {
    if (documentMask) {
      NDArray documents = micro.create(batch.documentIds()).reshape(batch.size(), batch.seqLen());
      return model.documentContext(micro, documents);
    }
    return model.causalContext(micro, 0, batch.seqLen());
  }

  /** One block without a tape; its intermediates live and die in a sub-manager. */
  private NDArray forwardNoTape(
      NDManager micro, int layer, NDArray input, AttentionContext context) {
    try (NDManager block = micro.newSubManager()) {
      input.tempAttach(block); // ops on input allocate in block; input returns to micro on close
      NDArray output = model.block(layer, input, context, null);
      output.attach(micro);
      return output;
    }
  }

  /** A copy of a saved stage input in {@code stage}, a leaf that needs a gradient if asked. */
  private static NDArray inputCopy(NDArray saved, NDManager stage, boolean needsGradient) {
    NDArray copy = saved.duplicate();
    copy.attach(stage);
    if (needsGradient) {
      copy.setRequiresGradient(true);
    }
    return copy;
  }

  /** The gradient of a stage input, copied into {@code micro} to outlive the stage. */
  private static NDArray keepGradient(NDArray input, NDManager micro) {
    NDArray gradient = input.getGradient().duplicate();
    gradient.attach(micro);
    return gradient;
  }

  /** {@link #nextTokenNll}, with padding targets zeroed. */
  static NDArray maskedNll(NDArray logits, NDArray ids, MicroBatch batch, NDManager manager) {
    NDArray nll = nextTokenNll(logits, ids); // (B, T-1)
    float[] mask = batch.targetMask();
    if (mask == null) {
      return nll;
    }
    NDArray m = manager.create(mask).reshape(nll.getShape()).toType(nll.getDataType(), false);
    return nll.mul(m);
  }

  /** Next-token NLL of every target: logits (B, T, V), ids (B, T) -> (B, T-1). */
  static NDArray nextTokenNll(NDArray logits, NDArray ids) {
    long length = ids.getShape().get(1);
    NDArray predicting = logits.get(new NDIndex(":, :{}, :", length - 1)); // (B, T-1, V)
    NDArray targets = ids.get(new NDIndex(":, 1:")).expandDims(2); // (B, T-1, 1)
    NDArray logProbs = predicting.logSoftmax(2); // (B, T-1, V)
    return logProbs.gather(targets, 2).squeeze(2).neg(); // (B, T-1)
  }
}
