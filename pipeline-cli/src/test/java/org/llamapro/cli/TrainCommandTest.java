package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.pack.TokenizePackStage;
import org.llamapro.data.spark.SparkSessions;

/** init-model -> expand -> train (stop, resume) -> export -> score, through the command line. */
class TrainCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path temp;
  static Path shards;
  static Path expanded;

  @BeforeAll
  static void inputs() {
    shards = temp.resolve("shards");
    SparkSession spark = SparkSessions.smallLocal("TrainCommandTest");
    try {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String source = i % 2 == 0 ? "stack" : "open-web-math";
        String text = ("def f" + i + "(x):\n    return x * " + i + "\n").repeat(1 + i % 3);
        rows.add(RowFactory.create("d" + i, source, "f", text, "{}", "h" + i));
      }
      TokenizePackStage.run(
          spark,
          spark.createDataFrame(rows, DocumentColumns.SCHEMA),
          PackOptions.builder().optSeqLen(32).optHoldoutFraction(0.2).optSeed(1).build(),
          shards.toString());
    } finally {
      spark.stop();
    }
    Path base = temp.resolve("base");
    CliRun init =
        CliRun.of(
            "init-model",
            "--output",
            base.toString(),
            "--layers",
            "2",
            "--hidden-size",
            "32",
            "--intermediate-size",
            "64",
            "--heads",
            "4",
            "--max-position",
            "64");
    assertEquals(0, init.exitCode(), init.err());
    expanded = temp.resolve("expanded");
    CliRun expand =
        CliRun.of(
            "expand", "--model", base.toString(), "--output", expanded.toString(), "--layers", "3");
    assertEquals(0, expand.exitCode(), expand.err());
  }

  private static String[] train(Path run, String... extra) {
    return trainWith(run, "32", "4", extra);
  }

  private static String[] trainWith(Path run, String seqLen, String globalBatch, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--model",
                expanded.toString(),
                "--shards",
                shards.toString(),
                "--output",
                run.toString(),
                "--steps",
                "3",
                "--seq-len",
                seqLen,
                "--micro-batch-size",
                "2",
                "--global-batch-size",
                globalBatch,
                "--lr",
                "1e-3",
                "--device",
                "cpu",
                "--set",
                "train.eval-rows=4"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void trainStopResumeExportAndScore() throws Exception {
    Path run = temp.resolve("run");
    CliRun first = CliRun.of(train(run, "--stop-at-step", "2"));
    assertEquals(0, first.exitCode(), first.err());
    JsonNode stopped = JSON.readTree(first.lastLine());
    assertEquals(2, stopped.path("step").asInt());
    assertEquals(false, stopped.path("finished").asBoolean());
    JsonNode record = JSON.readTree(run.resolve("run.json").toFile());
    assertEquals("float32", record.path("dtype").asText());
    assertEquals("blocks [2]", record.path("trainable").asText()); // 2 -> 3: a copy on top

    CliRun second = CliRun.of(train(run, "--resume"));
    assertEquals(0, second.exitCode(), second.err());
    JsonNode done = JSON.readTree(second.lastLine());
    assertEquals(3, done.path("step").asInt());
    assertTrue(done.path("finished").asBoolean());
    assertTrue(Files.exists(run.resolve("loss.png")));

    Path trained = temp.resolve("trained");
    CliRun export = CliRun.of("export", "--run", run.toString(), "--output", trained.toString());
    assertEquals(0, export.exitCode(), export.err());
    assertEquals(3, JSON.readTree(export.lastLine()).path("step").asInt());
    CliRun score = CliRun.of("score", "--model", trained.toString(), "--ids", "1,822,285,29898");
    assertEquals(0, score.exitCode(), score.err());
    assertTrue(JSON.readTree(score.lastLine()).path("nll").asDouble() > 0);
  }

  @Test
  void badInputExitsWithCode2AndTheReason() {
    CliRun seq = CliRun.of(trainWith(temp.resolve("bad-seq"), "48", "4"));
    assertEquals(2, seq.exitCode());
    assertTrue(seq.err().contains("hold rows of 32 tokens"), seq.err());
    CliRun batch = CliRun.of(trainWith(temp.resolve("bad-batch"), "32", "5"));
    assertEquals(2, batch.exitCode());
    assertTrue(batch.err().contains("5 is not divisible by"), batch.err());
    CliRun plain =
        CliRun.of(
            "train",
            "--model",
            temp.resolve("base").toString(),
            "--shards",
            shards.toString(),
            "--output",
            temp.resolve("bad-plain").toString(),
            "--steps",
            "1",
            "--seq-len",
            "32",
            "--micro-batch-size",
            "2",
            "--global-batch-size",
            "4",
            "--device",
            "cpu");
    assertEquals(2, plain.exitCode());
    assertTrue(plain.err().contains("has no expansion.json"), plain.err());
  }

  @Test
  void divergingRunExitsWithCode1NamingTheStepAndPrintsNoNaN() {
    Path run = temp.resolve("diverging");
    String[] args =
        train(
            run,
            "--min-lr",
            "1e8",
            "--warmup-ratio",
            "0",
            "--checkpoint-every",
            "1",
            "--set",
            "train.grad-clip=0",
            "--set",
            "train.max-skipped-steps=0");
    args[List.of(args).indexOf("--steps") + 1] = "12";
    args[List.of(args).indexOf("--lr") + 1] = "1e9";
    CliRun diverged = CliRun.of(args);
    assertEquals(1, diverged.exitCode(), diverged.out() + diverged.err());
    assertTrue(diverged.err().contains("error: Training diverged at step"), diverged.err());
    assertTrue(diverged.err().contains("last good checkpoint is"), diverged.err());
    assertFalse(diverged.out().contains("NaN"), diverged.out());
    assertFalse(diverged.err().contains("\tat "), "no stack trace: " + diverged.err());
  }
}
