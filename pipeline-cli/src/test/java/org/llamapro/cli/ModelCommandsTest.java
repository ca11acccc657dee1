package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.ShardedCheckpointWriter;
import org.llamapro.train.checkpoint.TensorSpec;
import org.llamapro.train.model.HfConfigJson;
import org.llamapro.train.model.InitializedWeights;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.PretrainedModels;
import org.llamapro.train.model.TensorNames;

class ModelCommandsTest {
  @TempDir static Path temp;
  static Path model;

  @BeforeAll
  static void tinyModel() {
    model = temp.resolve("tiny");
    CliRun run = initModel(model, "--layers", "2", "--kv-heads", "2", "--seed", "3");
    assertEquals(0, run.exitCode(), run.err());
  }

  @Test
  void helpListsEveryCommand() {
    CliRun run = CliRun.of("--help");
    assertEquals(0, run.exitCode());
    for (String command :
        new String[] {
          "tokenize", "generate", "score", "expand", "verify-expansion", "init-model"
        }) {
      assertTrue(run.out().contains(command), command + " missing from --help:\n" + run.out());
    }
  }

  @Test
  void tokenizeKnownIds() {
    assertEquals("1 15043 3186 29991", CliRun.of("tokenize", "--text", "Hello world!").lastLine());
    assertEquals(
        "15043 3186 29991", CliRun.of("tokenize", "--text", "Hello world!", "--no-bos").lastLine());
  }

  @Test
  void generatePrintsOnlyNewIdsAndIsDeterministic() {
    String[] args = {
      "generate",
      "--model",
      model.toString(),
      "--ids",
      "1,450,4996",
      "--max-new-tokens",
      "8",
      "--greedy",
      "--print-ids",
      "--ignore-eos"
    };
    CliRun first = CliRun.of(args);
    assertEquals(0, first.exitCode(), first.err());
    String[] ids = first.lastLine().split(" ");
    assertEquals(8, ids.length, first.out());
    for (String id : ids) {
      int value = Integer.parseInt(id);
      assertTrue(value >= 0 && value < 32000);
    }
    assertEquals(first.lastLine(), CliRun.of(args).lastLine());
  }

  @Test
  void scorePrintsOneJsonLine() {
    CliRun run = CliRun.of("score", "--model", model.toString(), "--ids", "1,450,4996,29991");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.lastLine().matches("\\{\"nll\": [0-9.]+, \"tokens\": 3}"), run.lastLine());
    // An untrained model is close to uniform over 32000 ids: nll near ln(32000) = 10.37.
    double nll = Double.parseDouble(run.lastLine().replaceAll(".*\"nll\": ([0-9.]+).*", "$1"));
    assertEquals(Math.log(32000), nll, 0.5);
  }

  @Test
  void expandThenVerify() {
    Path out = temp.resolve("expanded");
    CliRun expand = expand(model, out, "--verify");
    assertEquals(0, expand.exitCode(), expand.err());
    assertTrue(expand.out().contains("\"max_abs_logit_difference\": 0.0"), expand.out());
    assertTrue(Files.exists(out.resolve("expansion.json")));
    CliRun verify =
        CliRun.of("verify-expansion", "--base", model.toString(), "--expanded", out.toString());
    assertEquals(0, verify.exitCode(), verify.err());
    assertTrue(verify.lastLine().contains("\"ok\": true"), verify.out());
  }

  @Test
  void badInputExitsWithTwoAndAMessage() {
    CliRun missing = CliRun.of("score", "--model", temp.resolve("nope").toString(), "--ids", "1,2");
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains("error: Model directory not found: "), missing.err());
    CliRun badIds = CliRun.of("score", "--model", model.toString(), "--ids", "1,x");
    assertEquals(2, badIds.exitCode());
    assertTrue(badIds.err().contains("Invalid token id 'x' in --ids 1,x"), badIds.err());
    CliRun layers =
        CliRun.of(
            "expand",
            "--model",
            model.toString(),
            "--output",
            temp.resolve("o").toString(),
            "--layers",
            "2");
    assertEquals(2, layers.exitCode());
    assertTrue(
        layers.err().contains("error: --layers must be greater than the model's 2 blocks, got 2"),
        layers.err());
  }

  @Test
  void expandOverwritingAParentOfItsModelIsRefusedAndDeletesNothing() throws Exception {
    Path parent = temp.resolve("x");
    Path inner = parent.resolve("inner/model");
    Files.createDirectories(inner.getParent());
    copyDirectory(model, inner);
    Files.writeString(parent.resolve("notes.txt"), "beside the model");
    CliRun run = expand(inner, parent, "--overwrite");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("contains --model " + inner), run.err());
    assertTrue(Files.exists(inner.resolve("model.safetensors")), "the model is kept");
    assertEquals("beside the model", Files.readString(parent.resolve("notes.txt")));
  }

  @Test
  void failedVerifyLeavesNoOutputBehind() {
    // A NaN in the final norm makes every logit NaN: --verify cannot find them identical.
    LlamaConfig config =
        LlamaConfig.builder()
            .setVocabSize(97)
            .setHiddenSize(32)
            .setIntermediateSize(64)
            .setNumHiddenLayers(2)
            .setNumAttentionHeads(4)
            .build();
    InitializedWeights weights = new InitializedWeights(config, 1, 0.02);
    Path base = temp.resolve("nan-model");
    ShardedCheckpointWriter.Builder writer =
        ShardedCheckpointWriter.builder().setOutputDirectory(base);
    for (String name : weights.names()) {
      float[] values = weights.readFloats(name);
      values[0] = name.equals(TensorNames.FINAL_NORM) ? Float.NaN : values[0];
      writer.add(
          new TensorSpec(name, DType.F32, weights.shape(name)),
          PretrainedModels.encode(values, DType.F32));
    }
    writer.write();
    HfConfigJson.write(base.resolve("config.json"), config.toJson());
    Path out = temp.resolve("nan-expanded");
    CliRun run = expand(base, out, "--verify");
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.err().contains("--verify failed; nothing was written to " + out), run.err());
    assertFalse(Files.exists(out), "the unverified expansion is not published");

    CliRun badDevice = expand(model, out, "--verify", "--device", "gpu:7");
    assertEquals(2, badDevice.exitCode(), badDevice.err());
    assertTrue(badDevice.err().contains("Device gpu:7 was requested"), badDevice.err());
    assertFalse(Files.exists(out), "a bad --device is refused before expanding");
  }

  @Test
  void scoreRefusesMoreTokensThanMaxPositionEmbeddings() {
    Path short8 = temp.resolve("short-context");
    CliRun init = initModel(short8, "--layers", "1", "--vocab-size", "97", "--max-position", "8");
    assertEquals(0, init.exitCode(), init.err());
    CliRun fits = CliRun.of("score", "--model", short8.toString(), "--ids", "1,2,3,4,5,6,7,8");
    assertEquals(0, fits.exitCode(), fits.err());
    CliRun tooLong = CliRun.of("score", "--model", short8.toString(), "--ids", "1,2,3,4,5,6,7,8,9");
    assertEquals(2, tooLong.exitCode(), tooLong.out());
    assertTrue(
        tooLong
            .err()
            .contains(
                "error: 9 tokens is more than the model's max_position_embeddings (8 in"
                    + " config.json); score at most 8 tokens"),
        tooLong.err());
  }

  /** {@code init-model} of hidden size 32 (4 heads), MLP 64, plus {@code more}. */
  private static CliRun initModel(Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "init-model",
                "--output",
                out.toString(),
                "--hidden-size",
                "32",
                "--intermediate-size",
                "64",
                "--heads",
                "4"));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static CliRun expand(Path in, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "expand", "--model", in.toString(), "--output", out.toString(), "--layers", "4"));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName().toString()));
      }
    }
  }
}
