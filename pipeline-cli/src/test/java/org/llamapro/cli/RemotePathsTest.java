package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model, run and export directories are local: a remote URI there is refused, never misread. */
class RemotePathsTest {
  @TempDir Path temp;

  @Test
  void expandRefusesAnS3aOutputInsteadOfWritingAFolderNamedS3a() {
    Path model = temp.resolve("model");
    CliRun run =
        CliRun.of(
            "expand", "--model", model.toString(), "--output", "s3a://out/exp", "--layers", "5");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("--output"), run.err());
    assertTrue(run.err().contains("s3a://out/exp"), run.err());
    assertTrue(run.err().contains("local or mounted directory"), run.err());
    assertFalse(Files.exists(Path.of("s3a:")), "a local folder named s3a: was created");
  }

  @Test
  void trainRefusesAnHdfsRunDirectoryGivenAsASetting() {
    CliRun run =
        CliRun.of(
            "train",
            "--model",
            temp.resolve("model").toString(),
            "--shards",
            temp.resolve("shards").toString(),
            "--set",
            "train.output=hdfs://namenode/runs/x");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("train.output hdfs://namenode/runs/x"), run.err());
  }

  @Test
  void aFileUriIsALocalPath() {
    assertEquals(
        temp.resolve("x"),
        org.llamapro.io.LocalPaths.of("--output", temp.resolve("x").toUri().toString()));
  }
}
