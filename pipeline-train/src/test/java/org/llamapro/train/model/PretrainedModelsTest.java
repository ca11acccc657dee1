package org.llamapro.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.HfModelDirectory;

class PretrainedModelsTest {
  @TempDir Path temp;

  private static final int[] IDS = {1, 33, 7, 64, 2, 90, 12, 5};

  @Test
  void loadedCheckpointsMatchTheReferenceInEveryDtypeAndLayout() throws IOException {
    record Case(LlamaConfig config, DType dtype, long shardBytes) {}
    List<Case> cases =
        List.of(
            new Case(TinyConfigs.llama(2), DType.F32, Long.MAX_VALUE),
            new Case(TinyConfigs.llama(2), DType.F16, 20_000),
            new Case(TinyConfigs.groupedTied(2), DType.BF16, Long.MAX_VALUE),
            new Case(TinyConfigs.qwen2(2), DType.F32, 10_000));
    int n = 0;
    for (Case c : cases) {
      Path dir = temp.resolve("model-" + n++);
      RandomWeights weights = new RandomWeights(c.config(), n);
      PretrainedModels.save(
          dir, c.config(), weights, weights.values().keySet(), c.dtype(), c.shardBytes());
      boolean sharded = c.shardBytes() != Long.MAX_VALUE;
      assertEquals(sharded, Files.exists(dir.resolve(HfModelDirectory.INDEX)), "index for " + c);
      assertEquals(
          !sharded, Files.exists(dir.resolve(HfModelDirectory.SINGLE_FILE)), "single for " + c);
      double[][] expected;
      try (HfModelDirectory checkpoint = HfModelDirectory.open(dir)) {
        assertEquals(c.config(), PretrainedModels.config(checkpoint));
        // The reference reads the checkpoint's (rounded) values itself.
        expected =
            new ReferenceLlama(c.config(), PretrainedModels.tensorSource(checkpoint)).logits(IDS);
      }
      try (LlamaModel model = PretrainedModels.load(dir, ComputeTarget.cpu());
          NDManager call = model.manager().newSubManager()) {
        float[] actual =
            model
                .forward(
                    call.create(java.util.Arrays.stream(IDS).asLongStream().toArray())
                        .reshape(1, IDS.length),
                    null)
                .toFloatArray();
        int vocab = c.config().vocabSize();
        for (int t = 0; t < IDS.length; t++) {
          for (int v = 0; v < vocab; v++) {
            double e = expected[t][v];
            assertTrue(
                Math.abs(actual[t * vocab + v] - e) <= 1e-4 * Math.max(1, Math.abs(e)),
                c + " position " + t + " token " + v + ": " + e + " vs " + actual[t * vocab + v]);
          }
        }
      }
    }
  }

  @Test
  void configRoundTripsThroughJson() {
    for (LlamaConfig config :
        List.of(TinyConfigs.llama(3), TinyConfigs.groupedTied(1), TinyConfigs.qwen2(2))) {
      assertEquals(config, LlamaConfig.fromHfConfig(config.toJson(), "test"));
    }
  }

  @Test
  void loadErrorsNameTheFile() {
    LlamaConfig config = TinyConfigs.llama(2);
    Path sharded = temp.resolve("sharded");
    RandomWeights weights = new RandomWeights(config, 5);
    PretrainedModels.save(sharded, config, weights, weights.values().keySet(), DType.F32, 10_000);
    HfConfigJson.write(
        sharded.resolve(HfModelDirectory.CONFIG),
        config.toBuilder().setIntermediateSize(64).build().toJson());
    String gate = TensorNames.layer(0, TensorNames.GATE_PROJ + ".weight");
    String shard;
    try (HfModelDirectory directory = HfModelDirectory.open(sharded)) {
      shard = directory.fileOf(gate).path().toString();
    }
    IllegalArgumentException wrongShape =
        assertThrows(
            IllegalArgumentException.class,
            () -> PretrainedModels.load(sharded, ComputeTarget.cpu()));
    assertEquals(
        shard
            + ": "
            + gate
            + ": expected shape [64, 32] from config.json but the checkpoint has [48, 32]",
        wrongShape.getMessage());
    HfConfigJson.write(sharded.resolve(HfModelDirectory.CONFIG), config.withLayers(3).toJson());
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> PretrainedModels.load(sharded, ComputeTarget.cpu()));
    assertEquals(
        sharded.resolve(HfModelDirectory.INDEX)
            + ": missing tensor model.layers.2.input_layernorm.weight, which config.json requires",
        missing.getMessage());
  }

  @Test
  void initializedWeightsDoNotDependOnReadOrder() {
    LlamaConfig config = TinyConfigs.llama(2);
    InitializedWeights a = new InitializedWeights(config, 42, 0.02);
    InitializedWeights b = new InitializedWeights(config, 42, 0.02);
    String name = TensorNames.layer(1, TensorNames.UP_PROJ + ".weight");
    b.readFloats(TensorNames.EMBED);
    assertArrayEquals(a.readFloats(name), b.readFloats(name));
    float[] norm = a.readFloats(TensorNames.FINAL_NORM);
    assertEquals(1f, norm[0]);
    float[] values = a.readFloats(name);
    double sumSquares = 0;
    for (float v : values) {
      sumSquares += v * v;
    }
    double std = Math.sqrt(sumSquares / values.length);
    assertTrue(Math.abs(std - 0.02) < 0.003, "std " + std);
  }
}
