package org.llamapro.train.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.RandomWeights;
import org.llamapro.train.model.TinyConfigs;

class LayerwiseBackpropTest {
  private static final MicroBatch BATCH =
      new MicroBatch(
          List.of(
              new TrainingRow(new int[] {1, 5, 17, 42, 96, 3, 2, 60, 11, 2, 0, 88}, new int[] {7}),
              new TrainingRow(new int[] {90, 2, 7, 7, 7, 31, 64, 12, 45, 50, 9, 4}, new int[0])));

  @Test
  void recomputedGradientsEqualFullGraphBackpropagation() {
    LlamaConfig config = TinyConfigs.llama(4);
    TrainableSet set = TrainableSet.resolve("1,3", config, Path.of("unused"));
    compare(config, set, false);
  }

  @Test
  void recomputationAlsoCoversEmbeddingHeadTiedWeightsAndDocumentMasks() {
    LlamaConfig config = TinyConfigs.groupedTied(3);
    TrainableSet set = TrainableSet.resolve("all", config, Path.of("unused"));
    compare(config, set, true);
  }

  private static void compare(LlamaConfig config, TrainableSet set, boolean documentMask) {
    RandomWeights weights = new RandomWeights(config, 5);
    double lossWeight = 1.0 / BATCH.targets();
    Map<String, float[]> expected = new LinkedHashMap<>();
    try (LlamaModel model = LlamaModel.load(config, weights, Device.cpu(), DataType.FLOAT32);
        NDManager call = model.manager().newSubManager()) {
      requireGradients(model, set);
      NDArray ids = call.create(BATCH.tokens()).reshape(BATCH.size(), BATCH.seqLen());
      var context =
          documentMask
              ? model.documentContext(
                  call, call.create(BATCH.documentIds()).reshape(BATCH.size(), BATCH.seqLen()))
              : model.causalContext(call, 0, BATCH.seqLen());
      try (GradientTape tape = GradientTape.open()) {
        NDArray x = model.embed(ids);
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
          x = model.block(layer, x, context, null);
        }
        NDArray nll = LayerwiseBackprop.nextTokenNll(model.head(x), ids);
        tape.backward(nll.mul((float) lossWeight));
      }
      for (var e : model.namedTensors().entrySet()) {
        if (set.contains(e.getKey())) {
          expected.put(e.getKey(), e.getValue().getGradient().toFloatArray());
        }
      }
    }
    try (LlamaModel model = LlamaModel.load(config, weights, Device.cpu(), DataType.FLOAT32);
        NDManager micro = model.manager().newSubManager()) {
      requireGradients(model, set);
      LayerwiseBackprop.Loss loss =
          new LayerwiseBackprop(model, set, documentMask).run(micro, BATCH, lossWeight);
      assertEquals(BATCH.targets(), loss.targets());
      assertTrue(loss.nllSum() > 0);
      int compared = 0;
      for (var e : model.namedTensors().entrySet()) {
        if (!set.contains(e.getKey())) {
          assertFalse(e.getValue().hasGradient(), e.getKey() + " is frozen but has a gradient");
          continue;
        }
        float[] actual = e.getValue().getGradient().toFloatArray();
        float[] want = expected.get(e.getKey());
        double scale = 0;
        for (float w : want) {
          scale = Math.max(scale, Math.abs(w));
        }
        assertTrue(scale > 0, e.getKey() + " got no gradient in the reference");
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], actual[i], 1e-5 * scale + 1e-9, e.getKey() + "[" + i + "]");
        }
        compared++;
      }
      assertEquals(expected.size(), compared);
    }
  }

  private static void requireGradients(LlamaModel model, TrainableSet set) {
    for (var e : model.namedTensors().entrySet()) {
      if (set.contains(e.getKey())) {
        e.getValue().setRequiresGradient(true);
      }
    }
  }
}
