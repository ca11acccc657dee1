package org.llamapro.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlamaModelTest {
  private static final int[][] SEQUENCES = {
    {1, 5, 17, 42, 96, 3, 3, 60, 11, 2, 0, 88},
    {1, 90, 2, 7, 7, 7, 31, 64, 12, 45, 50, 9}
  };

  @Test
  void fullForwardMatchesReferenceForEveryVariant() {
    for (LlamaConfig config :
        List.of(TinyConfigs.llama(2), TinyConfigs.groupedTied(3), TinyConfigs.qwen2(2))) {
      RandomWeights weights = new RandomWeights(config, 7);
      ReferenceLlama reference = new ReferenceLlama(config, weights);
      try (LlamaModel model = LlamaModel.load(config, weights, Device.cpu(), DataType.FLOAT32);
          NDManager call = model.manager().newSubManager()) {
        NDArray logits = model.forward(call.create(longs(SEQUENCES)), null);
        assertEquals(new Shape(2, 12, config.vocabSize()), logits.getShape());
        float[] actual = logits.toFloatArray();
        for (int b = 0; b < SEQUENCES.length; b++) {
          double[][] expected = reference.logits(SEQUENCES[b]);
          assertClose(expected, actual, b * 12 * config.vocabSize(), 1e-4, config.modelType());
        }
      }
    }
  }

  @Test
  void cachedIncrementalForwardMatchesFullForward() {
    LlamaConfig config = TinyConfigs.groupedTied(2);
    RandomWeights weights = new RandomWeights(config, 11);
    try (LlamaModel model = LlamaModel.load(config, weights, Device.cpu(), DataType.FLOAT32);
        NDManager call = model.manager().newSubManager();
        KvCache cache = new KvCache(call, config.numHiddenLayers())) {
      NDArray ids = call.create(longs(SEQUENCES));
      float[] full = model.forward(ids, null).toFloatArray();
      // Prompt of 5 tokens, then one token at a time.
      NDArray prompt = model.forward(ids.get(new NDIndex(":, 0:5")), cache);
      float[] incremental = new float[full.length];
      copyPositions(prompt.toFloatArray(), incremental, 0, 5, 12, config.vocabSize());
      for (int t = 5; t < 12; t++) {
        NDArray step = model.forward(ids.get(new NDIndex(":, {}:{}", t, t + 1)), cache);
        copyPositions(step.toFloatArray(), incremental, t, 1, 12, config.vocabSize());
      }
      assertEquals(12, cache.length());
      for (int i = 0; i < full.length; i++) {
        assertEquals(full[i], incremental[i], 1e-4 * (1 + Math.abs(full[i])), "logit " + i);
      }
    }
  }

  @Test
  void float16ComputeStaysCloseToFloat32() {
    LlamaConfig config = TinyConfigs.llama(2);
    RandomWeights weights = new RandomWeights(config, 3);
    try (LlamaModel f32 = LlamaModel.load(config, weights, Device.cpu(), DataType.FLOAT32);
        LlamaModel f16 = LlamaModel.load(config, weights, Device.cpu(), DataType.FLOAT16);
        NDManager call = f32.manager().newSubManager()) {
      float[] a = f32.forward(call.create(longs(SEQUENCES)), null).toFloatArray();
      NDArray half = f16.forward(call.create(longs(SEQUENCES)), null);
      assertEquals(DataType.FLOAT16, half.getDataType());
      float[] b = half.toType(DataType.FLOAT32, false).toFloatArray();
      double maxDiff = 0;
      for (int i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      }
      assertTrue(maxDiff < 0.05, "F16 logits differ from F32 by " + maxDiff);
    }
  }

  @Test
  void wrongShapeInCheckpointNamesTheTensor() {
    LlamaConfig config = TinyConfigs.llama(1);
    RandomWeights weights = new RandomWeights(config, 1);
    LlamaConfig wider =
        LlamaConfig.builder()
            .setVocabSize(97)
            .setHiddenSize(32)
            .setIntermediateSize(64)
            .setNumHiddenLayers(1)
            .setNumAttentionHeads(4)
            .optRmsNormEps(1e-5)
            .optMaxPositionEmbeddings(256)
            .build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LlamaModel.load(wider, weights, Device.cpu(), DataType.FLOAT32));
    assertEquals(
        "model.layers.0.mlp.gate_proj.weight: expected shape [64, 32] from config.json but the"
            + " checkpoint has [48, 32]",
        e.getMessage());
  }

  @Test
  void missingTensorIsNamed() {
    LlamaConfig config = TinyConfigs.llama(1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                LlamaModel.load(
                    config.withLayers(2),
                    new RandomWeights(config, 1),
                    Device.cpu(),
                    DataType.FLOAT32));
    assertEquals(
        "Checkpoint is missing tensor model.layers.1.input_layernorm.weight", e.getMessage());
  }

  @Test
  void namedTensorsListTiedHeadOnce() {
    LlamaConfig config = TinyConfigs.groupedTied(1);
    try (LlamaModel model =
        LlamaModel.load(config, new RandomWeights(config, 1), Device.cpu(), DataType.FLOAT32)) {
      assertEquals(new RandomWeights(config, 1).values().keySet(), model.namedTensors().keySet());
      assertArrayEquals(
          new RandomWeights(config, 1).readFloats(TensorNames.EMBED),
          model.namedTensors().get(TensorNames.EMBED).toFloatArray());
    }
  }

  static long[][] longs(int[][] ids) {
    long[][] out = new long[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      out[i] = java.util.Arrays.stream(ids[i]).asLongStream().toArray();
    }
    return out;
  }

  private static void copyPositions(
      float[] from, float[] to, int start, int count, int totalLength, int vocab) {
    int batch = from.length / (count * vocab);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < count; t++) {
        System.arraycopy(
            from, (b * count + t) * vocab, to, (b * totalLength + start + t) * vocab, vocab);
      }
    }
  }

  private static void assertClose(
      double[][] expected, float[] actual, int offset, double relative, String what) {
    int vocab = expected[0].length;
    double scale = 0;
    for (double[] row : expected) {
      for (double value : row) {
        scale = Math.max(scale, Math.abs(value));
      }
    }
    for (int t = 0; t < expected.length; t++) {
      for (int v = 0; v < vocab; v++) {
        double e = expected[t][v];
        double a = actual[offset + t * vocab + v];
        assertTrue(
            Math.abs(a - e) <= relative * Math.max(1.0, scale),
            what + " position " + t + " token " + v + ": expected " + e + " got " + a);
      }
    }
  }
}
