package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/**
 * Every key a command does not read is an error naming it and the closest known key, whatever its
 * prefix; only spark.* passes, to the Spark session. These commands fail before Spark starts.
 */
class UnknownKeysTest {
  @Test
  void aTypoInAPrefixNamesTheClosestKey() {
    CliRun run = CliRun.of("data", "prepare", "--set", "pak.seq-len=64");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(
        run.err()
            .startsWith(
                "error: Unknown configuration key 'pak.seq-len' (did you mean 'pack.seq-len'?);"),
        run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }

  @Test
  void aHadoopKeyIsRefusedWithoutShowingItsValue() {
    CliRun run =
        CliRun.of(
            "data",
            "pack",
            "--documents",
            "d",
            "--output",
            "o",
            "--set",
            "fs.s3a.secret.key=AKIA-TOP-SECRET");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("'fs.s3a.secret.key'"), run.err());
    assertTrue(run.err().contains("'spark.hadoop.fs.s3a.secret.key'"), run.err());
    assertFalse(run.err().contains("TOP-SECRET"), run.err());
    assertFalse(run.out().contains("TOP-SECRET"), run.out());
  }

  @Test
  void everyCommandWithSettingsChecksThem() {
    CliRun train = CliRun.of("train", "--set", "train.lrr=1e-4");
    assertEquals(2, train.exitCode(), train.err());
    assertTrue(train.err().contains("'train.lrr' (did you mean 'train.lr'?)"), train.err());
    CliRun demo = CliRun.of("demo", "--conf-dir", "../conf/demo", "--set", "pak.seq-len=64");
    assertEquals(2, demo.exitCode(), demo.err());
    assertTrue(demo.err().contains("'pak.seq-len'"), demo.err());
    assertTrue(demo.err().contains("this command reads demo.*"), demo.err());
  }

  @Test
  void aKnownKeyPassesTheCheck() {
    CliRun run = CliRun.of("data", "prepare", "--set", "pack.seq-len=64");
    assertEquals(2, run.exitCode(), run.err());
    assertFalse(run.err().contains("Unknown configuration key"), run.err());
    assertTrue(run.err().contains("prepare.output"), run.err());
  }

  @Test
  void sparkKeysGoToTheSparkSession() {
    String key = "spark.llamapro.test.pass-through";
    try {
      CliRun run = CliRun.of("data", "prepare", "--set", key + "=7");
      assertEquals(2, run.exitCode(), run.err());
      assertFalse(run.err().contains("Unknown configuration key"), run.err());
      // What a session started now reads, as for spark-submit --conf.
      assertEquals("7", new SparkConf().get(key));
    } finally {
      System.clearProperty(key);
    }
  }
}
