package org.llamapro.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfModelDirectoryTest {
  private static final String CONFIG = "{\"model_type\":\"llama\",\"num_hidden_layers\":2}";

  @TempDir Path dir;

  private static void writeShard(Path file, Map<String, float[]> tensors) {
    List<TensorSpec> specs =
        tensors.entrySet().stream()
            .map(e -> new TensorSpec(e.getKey(), DType.BF16, new long[] {e.getValue().length}))
            .toList();
    SafetensorsWriter.write(
        file, specs, Map.of(), name -> FloatCodec.encode(DType.BF16, tensors.get(name)));
  }

  private static Map<String, float[]> ordered(
      String first, float[] firstValues, String second, float[] secondValues) {
    Map<String, float[]> map = new LinkedHashMap<>();
    map.put(first, firstValues);
    map.put(second, secondValues);
    return map;
  }

  /** config.json, two shards and their index, plus tokenizer files. */
  private Path shardedModel() throws IOException {
    Path model = dir.resolve("model");
    TestFiles.write(model.resolve("config.json"), CONFIG);
    TestFiles.write(model.resolve("tokenizer.json"), "{}");
    TestFiles.write(model.resolve("generation_config.json"), "{}");
    TestFiles.write(model.resolve(".gitattributes"), "*.safetensors filter=lfs");
    Files.createDirectories(model.resolve("original"));
    writeShard(
        model.resolve("model-00001-of-00002.safetensors"),
        Map.of("model.embed_tokens.weight", new float[] {1, 2, 3}));
    writeShard(
        model.resolve("model-00002-of-00002.safetensors"),
        ordered("model.norm.weight", new float[] {0.5f}, "lm_head.weight", new float[] {-1, 4}));
    writeIndex(
        model,
        "\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
            + "\"model.norm.weight\":\"model-00002-of-00002.safetensors\","
            + "\"lm_head.weight\":\"model-00002-of-00002.safetensors\"");
    return model;
  }

  private static void writeIndex(Path model, String weightMapEntries) throws IOException {
    TestFiles.write(
        model.resolve("model.safetensors.index.json"),
        "{\"metadata\":{\"total_size\":12},\"weight_map\":{" + weightMapEntries + "}}");
  }

  private static String openError(Path model) {
    InvalidCheckpointException e =
        assertThrows(InvalidCheckpointException.class, () -> HfModelDirectory.open(model).close());
    return e.getMessage();
  }

  @Test
  void opensAShardedModel() throws IOException {
    Path model = shardedModel();
    try (HfModelDirectory directory = HfModelDirectory.open(model)) {
      assertEquals(
          List.of("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"),
          List.copyOf(directory.tensorNames()));
      assertArrayEquals(new float[] {1, 2, 3}, directory.readFloats("model.embed_tokens.weight"));
      assertArrayEquals(new float[] {-1, 4}, directory.readFloats("lm_head.weight"));
      assertEquals(DType.BF16, directory.info("model.norm.weight").dtype());
      assertEquals(
          model.resolve("model-00002-of-00002.safetensors"),
          directory.fileOf("model.norm.weight").path());
      assertEquals(2, directory.bytes("model.norm.weight").remaining());
      assertEquals(12, directory.totalBytes());
      assertEquals(
          List.of(model.resolve("generation_config.json"), model.resolve("tokenizer.json")),
          directory.nonWeightFiles());
      assertEquals(2, directory.config().get("num_hidden_layers").intValue());
    }
  }

  @Test
  void configIsACopy() throws IOException {
    try (HfModelDirectory directory = HfModelDirectory.open(shardedModel())) {
      ObjectNode config = directory.config();
      config.put("num_hidden_layers", 40);
      assertEquals(2, directory.config().get("num_hidden_layers").intValue());
    }
  }

  @Test
  void opensASingleFileModel() throws IOException {
    Path model = dir.resolve("single");
    TestFiles.write(model.resolve("config.json"), CONFIG);
    writeShard(model.resolve("model.safetensors"), Map.of("w", new float[] {2, 3}));
    // Pickle weights beside safetensors are ignored (never read) and not copied as extras.
    TestFiles.write(model.resolve("pytorch_model.bin"), "pickle");
    TestFiles.write(model.resolve("tokenizer_config.json"), "{}");
    try (HfModelDirectory directory = HfModelDirectory.open(model)) {
      assertEquals(List.of("w"), List.copyOf(directory.tensorNames()));
      assertArrayEquals(new float[] {2, 3}, directory.readFloats("w"));
      assertEquals(List.of(model.resolve("tokenizer_config.json")), directory.nonWeightFiles());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> directory.info("missing"));
      assertEquals(model + ": no tensor 'missing' (the model has 1)", e.getMessage());
    }
  }

  @Test
  void refusesPickleCheckpoints() throws IOException {
    Path model = dir.resolve("pickle");
    TestFiles.write(model.resolve("config.json"), CONFIG);
    TestFiles.write(model.resolve("pytorch_model.bin"), "not to be unpickled");
    String message = openError(model);
    assertEquals(
        model
            + ": holds only pickle weights (pytorch_model.bin), which are refused: loading a pickle"
            + " runs code from the file. Convert the model to safetensors first, e.g. in Python"
            + " with transformers: AutoModelForCausalLM.from_pretrained(dir).save_pretrained(out,"
            + " safe_serialization=True)",
        message);
  }

  @Test
  void refusesOtherPickleSuffixes() throws IOException {
    for (String name : List.of("consolidated.00.pth", "model.pt", "weights.ckpt")) {
      Path model = dir.resolve("pickle-" + name);
      TestFiles.write(model.resolve("config.json"), CONFIG);
      TestFiles.write(model.resolve(name), "pickle");
      assertTrue(openError(model).contains("holds only pickle weights (" + name + ")"), name);
    }
  }

  @Test
  void noWeightsAtAll() throws IOException {
    Path model = dir.resolve("empty");
    TestFiles.write(model.resolve("config.json"), CONFIG);
    assertEquals(
        model
            + ": no model.safetensors or model.safetensors.index.json (not a safetensors model"
            + " directory)",
        openError(model));
  }

  @Test
  void notADirectory() throws IOException {
    Path file = TestFiles.write(dir.resolve("file"), "x");
    assertEquals(file + ": not a directory", openError(file));
  }

  @Test
  void missingConfig() throws IOException {
    Path model = shardedModel();
    Files.delete(model.resolve("config.json"));
    assertEquals(
        model + ": no config.json (a Hugging Face model directory needs its config)",
        openError(model));
  }

  @Test
  void configNotJson() throws IOException {
    Path model = shardedModel();
    TestFiles.write(model.resolve("config.json"), "{\"a\":");
    assertTrue(
        openError(model).startsWith(model.resolve("config.json") + ": not valid JSON: "),
        openError(model));
    TestFiles.write(model.resolve("config.json"), "[]");
    assertEquals(model.resolve("config.json") + ": not a JSON object", openError(model));
  }

  @Test
  void bothSingleFileAndIndex() throws IOException {
    Path model = shardedModel();
    writeShard(model.resolve("model.safetensors"), Map.of("w", new float[] {1}));
    assertEquals(
        model
            + ": has both model.safetensors and model.safetensors.index.json; remove the one that"
            + " is stale",
        openError(model));
  }

  @Test
  void indexReferencesAMissingShard() throws IOException {
    Path model = shardedModel();
    Files.delete(model.resolve("model-00002-of-00002.safetensors"));
    assertEquals(
        model.resolve("model.safetensors.index.json")
            + ": weight_map references model-00002-of-00002.safetensors, which does not exist in "
            + model,
        openError(model));
  }

  @Test
  void tensorInTwoShards() throws IOException {
    Path model = shardedModel();
    writeShard(
        model.resolve("model-00002-of-00002.safetensors"),
        ordered("model.embed_tokens.weight", new float[] {9}, "lm_head.weight", new float[] {1}));
    writeIndex(
        model,
        "\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
            + "\"lm_head.weight\":\"model-00002-of-00002.safetensors\"");
    assertEquals(
        model
            + ": tensor 'model.embed_tokens.weight' is in two shards:"
            + " model-00001-of-00002.safetensors and model-00002-of-00002.safetensors",
        openError(model));
  }

  @Test
  void tensorListedTwiceInTheIndex() throws IOException {
    Path model = shardedModel();
    writeIndex(
        model,
        "\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
            + "\"model.embed_tokens.weight\":\"model-00002-of-00002.safetensors\"");
    String message = openError(model);
    assertTrue(
        message.startsWith(
            model.resolve("model.safetensors.index.json")
                + ": not valid JSON: Duplicate field 'model.embed_tokens.weight'"),
        message);
  }

  @Test
  void indexPointsToAShardThatLacksTheTensor() throws IOException {
    Path model = shardedModel();
    writeIndex(
        model,
        "\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
            + "\"model.norm.weight\":\"model-00002-of-00002.safetensors\","
            + "\"lm_head.weight\":\"model-00002-of-00002.safetensors\","
            + "\"model.layers.0.self_attn.q_proj.weight\":\"model-00001-of-00002.safetensors\"");
    assertEquals(
        model.resolve("model.safetensors.index.json")
            + ": weight_map puts tensor 'model.layers.0.self_attn.q_proj.weight' in"
            + " model-00001-of-00002.safetensors, which does not contain it",
        openError(model));
  }

  @Test
  void shardHoldsATensorTheIndexDoesNotList() throws IOException {
    Path model = shardedModel();
    writeIndex(
        model,
        "\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
            + "\"model.norm.weight\":\"model-00002-of-00002.safetensors\"");
    assertEquals(
        model.resolve("model-00002-of-00002.safetensors")
            + ": holds tensor 'lm_head.weight', which model.safetensors.index.json does not map to"
            + " this shard",
        openError(model));
  }

  @Test
  void indexWithoutWeightMap() throws IOException {
    Path model = shardedModel();
    TestFiles.write(model.resolve("model.safetensors.index.json"), "{\"metadata\":{}}");
    assertEquals(
        model.resolve("model.safetensors.index.json") + ": no \"weight_map\" object",
        openError(model));
  }

  @Test
  void indexMayNotPointOutsideTheDirectory() throws IOException {
    Path model = shardedModel();
    writeIndex(model, "\"x\":\"../elsewhere/model.safetensors\"");
    assertEquals(
        model.resolve("model.safetensors.index.json")
            + ": weight_map entry 'x' points to '../elsewhere/model.safetensors' (expected a"
            + " .safetensors file name in the same directory)",
        openError(model));
  }

  @Test
  void malformedShardNamesTheShard() throws IOException {
    Path model = shardedModel();
    Path shard = model.resolve("model-00002-of-00002.safetensors");
    TestFiles.write(shard, TestFiles.concat(TestFiles.le64(2), new byte[] {'{', '}', 0}));
    assertEquals(
        shard
            + ": data section has 1 unused bytes at offset 0 (the header lists no tensors) (the"
            + " data section is 1 bytes; tensors must cover it exactly)",
        openError(model));
  }

  @Test
  void readsFloatsIntoABuffer() throws IOException {
    try (HfModelDirectory directory = HfModelDirectory.open(shardedModel())) {
      java.nio.FloatBuffer out = ByteBuffer.allocateDirect(12).asFloatBuffer();
      directory.readFloats("model.embed_tokens.weight", out);
      assertEquals(3, out.position());
      assertEquals(3f, out.get(2));
    }
  }
}
