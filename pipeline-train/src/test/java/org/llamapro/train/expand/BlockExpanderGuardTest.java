package org.llamapro.train.expand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.io.StagedDirectory;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.checkpoint.ShardedCheckpointWriter;
import org.llamapro.train.model.HfConfigJson;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.PretrainedModels;
import org.llamapro.train.model.RandomWeights;
import org.llamapro.train.model.TensorNames;
import org.llamapro.train.model.TinyConfigs;

/** What expand refuses before writing anything, and what it may delete. */
class BlockExpanderGuardTest {
  @TempDir Path temp;

  private static Path model(Path dir, LlamaConfig config) {
    RandomWeights weights = new RandomWeights(config, 3);
    PretrainedModels.save(
        dir, config, weights, weights.values().keySet(), DType.F32, Long.MAX_VALUE);
    return dir;
  }

  private static BlockExpander.Request request(Path in, Path out, boolean overwrite) {
    return new BlockExpander.Request(
        in, out, 5, Placement.INTERLEAVE, Initialization.IDENTITY, 0, 5_000_000_000L, overwrite);
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void overwritingAParentOfTheModelIsRefusedAndDeletesNothing() throws IOException {
    Path parent = temp.resolve("x");
    Path in = model(parent.resolve("inner/model"), TinyConfigs.llama(4));
    Files.writeString(parent.resolve("notes.txt"), "beside the model");
    List<String> before = listing(parent);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> BlockExpander.expand(request(in, parent, true)));
    assertTrue(e.getMessage().contains("contains --model " + in), e.getMessage());
    assertEquals(before, listing(parent), "the model and everything beside it are kept");
    try (Stream<Path> siblings = Files.list(temp)) {
      assertEquals(List.of(parent), siblings.toList(), "no staging directory either");
    }
  }

  @Test
  void outputInsideTheModelIsRefused() throws IOException {
    Path in = model(temp.resolve("model"), TinyConfigs.llama(4));
    List<String> before = listing(in);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BlockExpander.expand(request(in, in.resolve("expanded"), false)));
    assertTrue(e.getMessage().contains("is inside --model"), e.getMessage());
    assertEquals(before, listing(in));
  }

  @Test
  void overwriteReplacesAnEarlierExpansionButNoOtherDirectory() throws IOException {
    Path in = model(temp.resolve("model"), TinyConfigs.llama(4));
    Path foreign = Files.createDirectories(temp.resolve("foreign"));
    Files.writeString(foreign.resolve("thesis.tex"), "mine");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> BlockExpander.expand(request(in, foreign, true)));
    assertEquals(
        "Refusing to --overwrite "
            + foreign.toAbsolutePath()
            + ": it has no expansion.json, so this command did not write it; remove it yourself"
            + " or choose another --output",
        e.getMessage());
    assertEquals("mine", Files.readString(foreign.resolve("thesis.tex")));

    Path out = temp.resolve("expanded");
    BlockExpander.expand(request(in, out, false));
    Files.writeString(out.resolve("stale.txt"), "from the first run");
    BlockExpander.expand(
        new BlockExpander.Request(
            in, out, 6, Placement.INTERLEAVE, Initialization.IDENTITY, 0, 5_000_000_000L, true));
    assertEquals(6, ExpansionRecord.read(out).newLayers(), "the earlier expansion is replaced");
    assertFalse(Files.exists(out.resolve("stale.txt")));
  }

  @Test
  void tensorShapeThatDisagreesWithConfigIsRefusedNamingFileAndTensor() throws IOException {
    Path in = model(temp.resolve("model"), TinyConfigs.llama(4));
    ObjectNode config = TinyConfigs.llama(4).toJson();
    config.put("intermediate_size", 64);
    HfConfigJson.write(in.resolve(HfModelDirectory.CONFIG), config);
    assertRefusedBeforeWriting(
        in,
        in.resolve(HfModelDirectory.SINGLE_FILE)
            + ": model.layers.0.mlp.gate_proj.weight: expected shape [64, 32] from config.json"
            + " but the checkpoint has [48, 32]");
  }

  @Test
  void missingTensorIsRefusedNamingFileAndTensor() throws IOException {
    LlamaConfig config = TinyConfigs.llama(4);
    Path full = model(temp.resolve("full"), config);
    Path in = temp.resolve("model");
    String missing = TensorNames.layer(2, TensorNames.K_PROJ + ".weight");
    try (HfModelDirectory model = HfModelDirectory.open(full)) {
      ShardedCheckpointWriter.Builder writer =
          ShardedCheckpointWriter.builder().setOutputDirectory(in).optMaxShardBytes(20_000);
      for (String name : model.tensorNames()) {
        if (!name.equals(missing)) {
          writer.add(model.info(name).spec(), model::bytes);
        }
      }
      writer.write();
    }
    Files.copy(full.resolve(HfModelDirectory.CONFIG), in.resolve(HfModelDirectory.CONFIG));
    assertRefusedBeforeWriting(
        in,
        in.resolve(HfModelDirectory.INDEX)
            + ": missing tensor "
            + missing
            + ", which config.json requires");
  }

  @Test
  void headCountThatDoesNotDivideTheHiddenSizeIsRefusedNamingConfigJson() throws IOException {
    Path in = model(temp.resolve("model"), TinyConfigs.llama(4));
    ObjectNode config = TinyConfigs.llama(4).toJson();
    config.remove("head_dim");
    config.put("num_attention_heads", 5);
    config.put("num_key_value_heads", 5);
    HfConfigJson.write(in.resolve(HfModelDirectory.CONFIG), config);
    assertRefusedBeforeWriting(
        in,
        in.resolve(HfModelDirectory.CONFIG)
            + ": hidden_size (32) is not a multiple of num_attention_heads (5) and no head_dim is"
            + " given");
  }

  private void assertRefusedBeforeWriting(Path in, String message) throws IOException {
    Path out = temp.resolve("out");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> BlockExpander.expand(request(in, out, false)));
    assertEquals(message, e.getMessage());
    assertFalse(Files.exists(out), "nothing written");
    try (Stream<Path> siblings = Files.list(temp)) {
      assertTrue(
          siblings.noneMatch(p -> p.getFileName().toString().startsWith(".out.")),
          "no staging directory");
    }
  }

  @Test
  void aFailedCheckPublishesNothingAndKeepsTheEarlierOutput() throws IOException {
    Path in = model(temp.resolve("model"), TinyConfigs.llama(4));
    Path out = temp.resolve("expanded");
    BlockExpander.expand(request(in, out, false));
    byte[] earlier = Files.readAllBytes(out.resolve(ExpansionRecord.FILE_NAME));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                BlockExpander.expand(
                    request(in, out, true),
                    staged -> {
                      assertTrue(Files.exists(staged.resolve(ExpansionRecord.FILE_NAME)));
                      throw new IllegalStateException("logits differ");
                    }));
    assertEquals("logits differ", e.getMessage());
    assertEquals(new String(earlier), Files.readString(out.resolve(ExpansionRecord.FILE_NAME)));
    try (Stream<Path> siblings = Files.list(temp)) {
      assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".expanded.")));
    }
  }

  @Test
  void staleStagingDirectoryOfAKilledRunIsRemovedByTheNextExpand() throws Exception {
    Path in = model(temp.resolve("model"), TinyConfigs.llama(4));
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    Path stale = Files.createDirectories(temp.resolve(".expanded.tmp-1f2e3d4c"));
    Files.writeString(stale.resolve(StagedDirectory.OWNER_FILE), finished.pid() + " ?\n");
    Files.write(stale.resolve("model-00001-of-00002.safetensors"), new byte[4096]);
    BlockExpander.expand(request(in, temp.resolve("expanded"), false));
    assertFalse(Files.exists(stale), "the killed run's staging directory is gone");
    assertEquals(5, ExpansionRecord.read(temp.resolve("expanded")).newLayers());
  }
}
