package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandsTest {
  @TempDir static Path temp;
  static Path model;

  @BeforeAll
  static void tinyModel() {
    model = temp.resolve("tiny");
    CliRun run =
        CliRun.of(
            "init-model",
            "--output",
            model.toString(),
            "--layers",
            "2",
            "--hidden-size",
            "32",
            "--intermediate-size",
            "64",
            "--heads",
            "4",
            "--kv-heads",
            "2",
            "--seed",
            "3");
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
    CliRun expand =
        CliRun.of(
            "expand",
            "--model",
            model.toString(),
            "--output",
            out.toString(),
            "--layers",
            "4",
            "--verify");
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
}
