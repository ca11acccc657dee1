package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --world-size W} goes through the Spark barrier job and its launch checks. */
class TrainWorldSizeTest {
  @TempDir Path temp;

  @Test
  void worldSizeRunsTheSparkJobWhichRefusesATakenRunDirectory() throws Exception {
    Path run = Files.createDirectories(temp.resolve("run"));
    Files.writeString(run.resolve("run.json"), "{}");
    CliRun result =
        CliRun.of(
            "train",
            "--model",
            temp.resolve("model").toString(),
            "--shards",
            temp.resolve("shards").toString(),
            "--output",
            run.toString(),
            "--steps",
            "2",
            "--micro-batch-size",
            "1",
            "--global-batch-size",
            "2",
            "--world-size",
            "2");
    assertEquals(2, result.exitCode(), result.err());
    assertTrue(
        result.err().contains("error: Run directory " + run + " already holds a run (run.json)"),
        result.err());
  }

  @Test
  void worldSizeMustDivideTheGlobalBatch() {
    CliRun result =
        CliRun.of(
            "train",
            "--model",
            "m",
            "--shards",
            "s",
            "--output",
            temp.resolve("run").toString(),
            "--steps",
            "2",
            "--micro-batch-size",
            "2",
            "--global-batch-size",
            "6",
            "--world-size",
            "2");
    assertEquals(2, result.exitCode(), result.err());
    assertTrue(
        result
            .err()
            .contains(
                "Invalid train.global-batch-size: 6 is not divisible by train.micro-batch-size x"
                    + " train.workers = 2 x 2 = 4"),
        result.err());
  }
}
