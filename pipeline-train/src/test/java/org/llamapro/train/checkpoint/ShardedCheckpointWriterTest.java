package org.llamapro.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointWriterTest {
  @TempDir Path dir;

  private static TensorSpec f32(String name, long... shape) {
    return new TensorSpec(name, DType.F32, shape);
  }

  /** Values 0, 1, 2, ... offset by {@code base}, as F32 bytes. */
  private static ByteBuffer values(TensorSpec spec, float base) {
    float[] values = new float[(int) spec.numel()];
    for (int i = 0; i < values.length; i++) {
      values[i] = base + i;
    }
    return FloatCodec.encode(DType.F32, values);
  }

  /** Five tensors of 16, 16, 24, 8 and 40 bytes. */
  private ShardedCheckpointWriter.Builder fiveTensors(Path out) {
    ShardedCheckpointWriter.Builder builder =
        ShardedCheckpointWriter.builder().setOutputDirectory(out);
    TensorSpec[] specs = {
      f32("model.embed_tokens.weight", 2, 2),
      f32("model.layers.0.input_layernorm.weight", 4),
      f32("model.layers.0.mlp.down_proj.weight", 2, 3),
      f32("model.norm.weight", 2),
      f32("lm_head.weight", 10)
    };
    for (int i = 0; i < specs.length; i++) {
      builder.add(specs[i], values(specs[i], 100 * i));
    }
    return builder;
  }

  @Test
  void plansShardsGreedilyInOrder() {
    List<TensorSpec> specs =
        List.of(f32("a", 4), f32("b", 4), f32("c", 6), f32("d", 2), f32("e", 10));
    List<List<String>> names =
        ShardedCheckpointWriter.plan(specs, 32).stream()
            .map(shard -> shard.stream().map(TensorSpec::name).toList())
            .toList();
    // 16+16 = 32 fits; c (24) opens shard 2, d (8) fits with it; e (40) exceeds the limit alone.
    assertEquals(List.of(List.of("a", "b"), List.of("c", "d"), List.of("e")), names);
    assertEquals(1, ShardedCheckpointWriter.plan(specs, 1_000).size());
    assertEquals(1, ShardedCheckpointWriter.plan(List.of(), 1_000).size(), "an empty model");
  }

  @Test
  void writesShardsAndAnIndexLikeTransformers() throws IOException {
    Path out = dir.resolve("sharded");
    ShardedCheckpointWriter.Result result =
        fiveTensors(out).optMaxShardBytes(32).optMetadata(Map.of("step", "3")).write();

    List<String> names = result.files().stream().map(p -> p.getFileName().toString()).toList();
    assertEquals(
        List.of(
            "model-00001-of-00003.safetensors",
            "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors",
            "model.safetensors.index.json"),
        names);
    assertFalse(result.isSingleFile());
    assertEquals(104, result.totalBytes());
    String index = Files.readString(out.resolve("model.safetensors.index.json"));
    // json.dumps(index, indent=2, sort_keys=True) + "\n"
    String expected =
        """
        {
          "metadata": {
            "total_size": 104
          },
          "weight_map": {
            "lm_head.weight": "model-00003-of-00003.safetensors",
            "model.embed_tokens.weight": "model-00001-of-00003.safetensors",
            "model.layers.0.input_layernorm.weight": "model-00001-of-00003.safetensors",
            "model.layers.0.mlp.down_proj.weight": "model-00002-of-00003.safetensors",
            "model.norm.weight": "model-00002-of-00003.safetensors"
          }
        }
        """;
    assertEquals(expected, index);

    try (SafetensorsFile shard = SafetensorsFile.open(out.resolve(names.get(1)))) {
      assertEquals(Map.of("format", "pt", "step", "3"), shard.metadata());
      assertEquals(
          List.of("model.layers.0.mlp.down_proj.weight", "model.norm.weight"),
          shard.tensors().stream().map(TensorInfo::name).toList());
      assertArrayEquals(new float[] {300, 301}, shard.readFloats("model.norm.weight"));
    }
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(4, files.count(), "no temporary files left");
    }
  }

  @Test
  void oneShardIsASingleModelSafetensorsWithoutIndex() throws IOException {
    Path out = dir.resolve("single");
    ShardedCheckpointWriter.Result result = fiveTensors(out).build().write();
    assertTrue(result.isSingleFile());
    assertEquals(List.of(out.resolve("model.safetensors")), result.files());
    assertFalse(Files.exists(out.resolve("model.safetensors.index.json")));
    try (SafetensorsFile file = SafetensorsFile.open(out.resolve("model.safetensors"))) {
      assertEquals(5, file.tensors().size());
      assertEquals("model.embed_tokens.weight", file.tensors().get(0).name(), "order as added");
      assertArrayEquals(new float[] {0, 1, 2, 3}, file.readFloats("model.embed_tokens.weight"));
    }
  }

  @Test
  void reshardingAModelDirectoryKeepsEveryTensorByteForByte() throws IOException {
    Path sharded = dir.resolve("sharded");
    fiveTensors(sharded).optMaxShardBytes(32).write();
    Files.writeString(sharded.resolve("config.json"), "{\"num_hidden_layers\":1}");
    Path single = dir.resolve("single");
    Path again = dir.resolve("again");
    try (HfModelDirectory model = HfModelDirectory.open(sharded)) {
      ShardedCheckpointWriter.builder().setOutputDirectory(single).addAll(model).write();
    }
    Files.writeString(single.resolve("config.json"), "{\"num_hidden_layers\":1}");
    try (HfModelDirectory original = HfModelDirectory.open(sharded);
        HfModelDirectory copy = HfModelDirectory.open(single)) {
      assertEquals(List.copyOf(original.tensorNames()), List.copyOf(copy.tensorNames()));
      for (String name : original.tensorNames()) {
        assertEquals(original.info(name).spec(), copy.info(name).spec());
        assertEquals(original.bytes(name), copy.bytes(name), name);
      }
      ShardedCheckpointWriter.builder()
          .setOutputDirectory(again)
          .optMaxShardBytes(32)
          .addAll(copy)
          .write();
    }
    // Sharding the single file again reproduces the original shards and index exactly.
    for (String name :
        List.of(
            "model-00001-of-00003.safetensors",
            "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors",
            "model.safetensors.index.json")) {
      assertArrayEquals(
          Files.readAllBytes(sharded.resolve(name)), Files.readAllBytes(again.resolve(name)), name);
    }
  }

  @Test
  void refusesAnOutputDirectoryThatAlreadyHoldsWeights() throws IOException {
    Path out = dir.resolve("busy");
    TestFiles.write(out.resolve("model-00001-of-00002.safetensors"), "stale");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> fiveTensors(out).write());
    assertEquals(
        "Output directory "
            + out
            + " already holds weights (model-00001-of-00002.safetensors); write to a new"
            + " directory or remove them first",
        e.getMessage());
  }

  @Test
  void builderValidates() {
    IllegalArgumentException noDirectory =
        assertThrows(
            IllegalArgumentException.class, () -> ShardedCheckpointWriter.builder().build());
    assertEquals("Output directory is not set", noDirectory.getMessage());

    IllegalArgumentException badLimit =
        assertThrows(
            IllegalArgumentException.class,
            () -> fiveTensors(dir.resolve("x")).optMaxShardBytes(0).build());
    assertEquals("Invalid max shard bytes: 0 (must be > 0)", badLimit.getMessage());

    IllegalArgumentException duplicate =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                fiveTensors(dir.resolve("y"))
                    .add(f32("model.norm.weight", 2), ByteBuffer.allocate(8))
                    .build());
    assertEquals("Duplicate tensor name: 'model.norm.weight'", duplicate.getMessage());
    assertEquals(5_000_000_000L, ShardedCheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
  }

  @Test
  void indexEscapesLikePython() {
    Map<String, String> weightMap = new LinkedHashMap<>();
    weightMap.put("b\u00e9\"\n", "model-00002-of-00002.safetensors");
    weightMap.put("a", "model-00001-of-00002.safetensors");
    String json = ShardedCheckpointWriter.indexJson(7, weightMap);
    assertEquals(
        "{\n  \"metadata\": {\n    \"total_size\": 7\n  },\n  \"weight_map\": {\n"
            + "    \"a\": \"model-00001-of-00002.safetensors\",\n"
            + "    \"b\\u00e9\\\"\\n\": \"model-00002-of-00002.safetensors\"\n  }\n}\n",
        json);
    assertTrue(StandardCharsets.US_ASCII.newEncoder().canEncode(json));
  }
}
