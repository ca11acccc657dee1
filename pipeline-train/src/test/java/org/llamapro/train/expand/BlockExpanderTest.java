package org.llamapro.train.expand;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.model.ComputeTarget;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.PretrainedModels;
import org.llamapro.train.model.RandomWeights;
import org.llamapro.train.model.TensorNames;
import org.llamapro.train.model.TinyConfigs;

class BlockExpanderTest {
  @TempDir Path temp;
  private int bases;

  private Path base(LlamaConfig config, DType dtype, long shardBytes) throws IOException {
    Path dir = temp.resolve("base-" + bases++);
    RandomWeights weights = new RandomWeights(config, 17);
    PretrainedModels.save(dir, config, weights, weights.values().keySet(), dtype, shardBytes);
    Files.writeString(dir.resolve("tokenizer.json"), "{\"fake\": true}\n");
    Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 1}\n");
    return dir;
  }

  private static BlockExpander.Request request(
      Path in, Path out, int layers, Placement placement, Initialization init) {
    return new BlockExpander.Request(in, out, layers, placement, init, 5, 5_000_000_000L, false);
  }

  @Test
  void expansionIsThePaperAlgorithmTensorForTensor() throws IOException {
    record Case(int from, int to, Placement placement, DType dtype) {}
    for (Case c :
        List.of(
            new Case(4, 5, Placement.INTERLEAVE, DType.F32),
            new Case(8, 10, Placement.INTERLEAVE, DType.BF16),
            new Case(8, 16, Placement.INTERLEAVE, DType.F16),
            new Case(4, 6, Placement.TOP, DType.F32),
            new Case(4, 6, Placement.BOTTOM, DType.F32))) {
      Path in = base(TinyConfigs.llama(c.from()), c.dtype(), Long.MAX_VALUE);
      Path out = temp.resolve("out-" + c.from() + "-" + c.to() + "-" + c.placement());
      ExpansionRecord record =
          BlockExpander.expand(request(in, out, c.to(), c.placement(), Initialization.IDENTITY));
      ExpansionPlan plan = ExpansionPlan.of(c.from(), c.to(), c.placement());
      assertEquals(plan.newBlockIndices(), record.newBlocks());
      try (HfModelDirectory before = HfModelDirectory.open(in);
          HfModelDirectory after = HfModelDirectory.open(out)) {
        assertEquals(c.to(), after.config().get("num_hidden_layers").asInt(), c.toString());
        var expectedConfig = before.config();
        expectedConfig.put("num_hidden_layers", c.to());
        assertEquals(expectedConfig, after.config(), "every other config key kept");
        int perBlock = 0;
        for (String name : after.tensorNames()) {
          int layer = TensorNames.layerOf(name);
          if (layer < 0) {
            assertArrayEquals(bytes(before.bytes(name)), bytes(after.bytes(name)), name);
            continue;
          }
          perBlock += layer == 0 ? 1 : 0;
          String suffix = TensorNames.suffixOf(name);
          String source = TensorNames.layer(plan.sources().get(layer), suffix);
          assertEquals(before.info(source).dtype(), after.info(name).dtype(), name);
          boolean zeroed =
              plan.added().get(layer)
                  && (suffix.startsWith("self_attn.o_proj") || suffix.startsWith("mlp.down_proj"));
          if (zeroed) {
            assertTrue(allZero(after.bytes(name)), name + " must be zero");
            assertFalse(allZero(before.bytes(source)), source + " is not zero in the base");
          } else {
            assertArrayEquals(
                bytes(before.bytes(source)),
                bytes(after.bytes(name)),
                c + " " + name + " copies " + source);
          }
        }
        assertEquals(9, perBlock, "every tensor of a block carried along");
        assertEquals(
            before.tensorNames().size() + 9 * (c.to() - c.from()), after.tensorNames().size());
      }
      assertEquals("{\"fake\": true}\n", Files.readString(out.resolve("tokenizer.json")));
      assertTrue(Files.exists(out.resolve("generation_config.json")));
      ExpansionRecord reread = ExpansionRecord.read(out);
      assertEquals(record, reread);
      for (Map.Entry<String, ExpansionRecord.FileDigest> file : reread.files().entrySet()) {
        assertEquals(
            org.llamapro.hash.Sha256.hex(out.resolve(file.getKey())),
            file.getValue().sha256(),
            file.getKey());
      }
      assertFalse(reread.files().containsKey(ExpansionRecord.FILE_NAME));
    }
  }

  @Test
  void identityExpansionComputesTheSameLogits() throws IOException {
    for (DType dtype : List.of(DType.F32, DType.F16)) {
      for (LlamaConfig config : List.of(TinyConfigs.llama(4), TinyConfigs.qwen2(4))) {
        Path in = base(config, dtype, 8_000); // sharded input
        assertTrue(Files.exists(in.resolve(HfModelDirectory.INDEX)));
        Path out = temp.resolve("identity-" + config.modelType() + dtype);
        BlockExpander.expand(
            new BlockExpander.Request(
                in, out, 6, Placement.INTERLEAVE, Initialization.IDENTITY, 1, 8_000, false));
        assertTrue(Files.exists(out.resolve(HfModelDirectory.INDEX)), "sharded output");
        ExpansionVerifier.Result result =
            ExpansionVerifier.verify(in, out, ComputeTarget.cpu(), 2, 16, 3);
        assertEquals(0.0, result.maxAbsDifference(), config.modelType() + " " + dtype);
        assertTrue(result.identical());
      }
    }
  }

  @Test
  void copyAndRandomInitChangeTheFunctionAndRandomIsSeeded() throws IOException {
    Path in = base(TinyConfigs.llama(4), DType.F32, Long.MAX_VALUE);
    Path copy = temp.resolve("copy");
    BlockExpander.expand(request(in, copy, 5, Placement.INTERLEAVE, Initialization.COPY));
    assertTrue(
        ExpansionVerifier.verify(in, copy, ComputeTarget.cpu(), 1, 8, 1).maxAbsDifference() > 1e-3);
    Path random1 = temp.resolve("random1");
    Path random2 = temp.resolve("random2");
    BlockExpander.expand(request(in, random1, 5, Placement.INTERLEAVE, Initialization.RANDOM));
    BlockExpander.expand(request(in, random2, 5, Placement.INTERLEAVE, Initialization.RANDOM));
    try (HfModelDirectory a = HfModelDirectory.open(random1);
        HfModelDirectory b = HfModelDirectory.open(random2);
        HfModelDirectory original = HfModelDirectory.open(in)) {
      String q = TensorNames.layer(4, TensorNames.Q_PROJ + ".weight");
      assertArrayEquals(bytes(a.bytes(q)), bytes(b.bytes(q)), "same seed, same block");
      assertFalse(
          java.util.Arrays.equals(
              bytes(original.bytes(TensorNames.layer(3, TensorNames.Q_PROJ + ".weight"))),
              bytes(a.bytes(q))));
      float[] norm = a.readFloats(TensorNames.layer(4, TensorNames.INPUT_NORM));
      assertEquals(1f, norm[0]);
    }
  }

  @Test
  void tiedEmbeddingsAreNotDuplicated() throws IOException {
    Path in = base(TinyConfigs.groupedTied(2), DType.F32, Long.MAX_VALUE);
    Path out = temp.resolve("tied");
    BlockExpander.expand(request(in, out, 4, Placement.INTERLEAVE, Initialization.IDENTITY));
    try (HfModelDirectory after = HfModelDirectory.open(out)) {
      assertFalse(after.tensorNames().contains(TensorNames.LM_HEAD));
    }
    assertEquals(
        0.0, ExpansionVerifier.verify(in, out, ComputeTarget.cpu(), 1, 8, 1).maxAbsDifference());
  }

  @Test
  void onlyOutputProjectionsOfTheCopyGetGradientsAtStepZero() throws IOException {
    Path in = base(TinyConfigs.llama(4), DType.F32, Long.MAX_VALUE);
    Path out = temp.resolve("grad");
    BlockExpander.expand(request(in, out, 5, Placement.INTERLEAVE, Initialization.IDENTITY));
    try (LlamaModel model = PretrainedModels.load(out, ComputeTarget.cpu());
        NDManager call = model.manager().newSubManager()) {
      Map<String, NDArray> copy = model.block(4).bySuffix();
      copy.values().forEach(w -> w.setRequiresGradient(true));
      NDArray ids = call.create(new long[][] {{1, 5, 9, 33, 2, 70, 12, 6}});
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray logits = model.forward(ids, null);
        NDArray logProbs = logits.get(":, :-1, :").logSoftmax(2);
        NDArray loss = logProbs.gather(ids.get(":, 1:").expandDims(2), 2).sum().neg();
        collector.backward(loss);
      }
      for (Map.Entry<String, NDArray> e : copy.entrySet()) {
        double norm = e.getValue().getGradient().abs().sum().getFloat();
        boolean output =
            e.getKey().startsWith("self_attn.o_proj") || e.getKey().startsWith("mlp.down_proj");
        if (output) {
          assertTrue(norm > 0, e.getKey() + " should get a gradient");
        } else {
          assertEquals(0.0, norm, e.getKey() + " sits behind a zero matrix");
        }
      }
    }
  }

  @Test
  void refusesFewerLayersUnequalGroupsAndNonEmptyOutput() throws IOException {
    Path in = base(TinyConfigs.llama(4), DType.F32, Long.MAX_VALUE);
    Path out = temp.resolve("refused");
    IllegalArgumentException fewer =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BlockExpander.expand(
                    request(in, out, 4, Placement.INTERLEAVE, Initialization.IDENTITY)));
    assertEquals("--layers must be greater than the model's 4 blocks, got 4", fewer.getMessage());
    IllegalArgumentException unequal =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BlockExpander.expand(
                    request(in, out, 7, Placement.INTERLEAVE, Initialization.IDENTITY)));
    assertTrue(
        unequal
            .getMessage()
            .startsWith("--placement interleave needs the 4 blocks to split into 3 equal groups"),
        unequal.getMessage());
    assertFalse(Files.exists(out));
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "mine");
    IllegalArgumentException exists =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BlockExpander.expand(
                    request(in, out, 5, Placement.INTERLEAVE, Initialization.IDENTITY)));
    assertEquals(
        "Output directory exists and is not empty: " + out + " (use --overwrite to replace it)",
        exists.getMessage());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    // What --overwrite may replace: BlockExpanderGuardTest.
  }

  @Test
  void refusesMissingAndMalformedInput() throws IOException {
    Path missing = temp.resolve("nothing-here");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BlockExpander.expand(
                    request(
                        missing,
                        temp.resolve("o1"),
                        5,
                        Placement.INTERLEAVE,
                        Initialization.IDENTITY)));
    assertTrue(e.getMessage().contains("nothing-here"), e.getMessage());
    Path broken = base(TinyConfigs.llama(4), DType.F32, Long.MAX_VALUE);
    Path weights = broken.resolve(HfModelDirectory.SINGLE_FILE);
    byte[] all = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(all, all.length - 100)); // truncated
    IllegalArgumentException truncated =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BlockExpander.expand(
                    request(
                        broken,
                        temp.resolve("o2"),
                        5,
                        Placement.INTERLEAVE,
                        Initialization.IDENTITY)));
    assertTrue(truncated.getMessage().contains("model.safetensors"), truncated.getMessage());
    assertFalse(Files.exists(temp.resolve("o2")));
  }

  @Test
  void failureMidWriteLeavesNothingBehind() throws IOException {
    // An integer tensor inside a block cannot be randomly initialised: the write fails half way.
    LlamaConfig config = TinyConfigs.llama(2);
    Path in = base(config, DType.F32, Long.MAX_VALUE);
    Path withInt = temp.resolve("with-int");
    try (HfModelDirectory model = HfModelDirectory.open(in)) {
      var writer =
          org.llamapro.train.checkpoint.ShardedCheckpointWriter.builder()
              .setOutputDirectory(withInt);
      for (String name : model.tensorNames()) {
        writer.add(
            model.info(name).spec(),
            ByteBuffer.wrap(bytes(model.bytes(name))).order(java.nio.ByteOrder.LITTLE_ENDIAN));
      }
      writer.add(
          new org.llamapro.train.checkpoint.TensorSpec(
              TensorNames.layer(1, "self_attn.position_ids"), DType.I64, new long[] {2}),
          ByteBuffer.allocate(16));
      writer.write();
      Files.copy(in.resolve("config.json"), withInt.resolve("config.json"));
    }
    Path out = temp.resolve("never");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BlockExpander.expand(
                    request(withInt, out, 3, Placement.INTERLEAVE, Initialization.RANDOM)));
    assertTrue(e.getMessage().contains("position_ids"), e.getMessage());
    assertFalse(Files.exists(out));
    try (Stream<Path> left = Files.list(temp)) {
      assertTrue(
          left.noneMatch(p -> p.getFileName().toString().startsWith(".never")), "staging removed");
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  private static boolean allZero(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    while (copy.hasRemaining()) {
      if (copy.get() != 0) {
        return false;
      }
    }
    return true;
  }
}
