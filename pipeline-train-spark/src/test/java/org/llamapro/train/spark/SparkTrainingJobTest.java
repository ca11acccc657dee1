package org.llamapro.train.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.config.Settings;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.train.trainer.CheckpointStore;
import org.llamapro.train.trainer.OptimizerSettings;
import org.llamapro.train.trainer.TrainConfig;
import org.llamapro.train.trainer.TrainingDivergedException;
import org.llamapro.train.trainer.TrainingRun;

/** The barrier job in local mode: ranks are threads of this JVM, the ring runs over loopback. */
class SparkTrainingJobTest {
  @TempDir static Path temp;
  private static SparkSession spark;
  private static Path model;
  private static Path shards;

  @BeforeAll
  static void setUp() throws Exception {
    spark = SparkSessions.smallLocal("SparkTrainingJobTest");
    shards = SparkFixtures.shards(spark, temp.resolve("shards"), 60);
    model = SparkFixtures.model(temp.resolve("model"));
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static SparkTrainSettings settings(Path output, String... overrides) {
    return SparkTrainSettings.from(
        Settings.of(SparkFixtures.settings(model, shards, output, overrides)));
  }

  @Test
  void twoRanksMatchOneRankWithTwiceTheMicroBatch() {
    Path one = temp.resolve("one-rank");
    TrainConfig single =
        settings(one, TrainConfig.MICRO_BATCH_SIZE + "=4", TrainConfig.WORKERS + "=1")
            .trainConfig();
    assertTrue(TrainingRun.run(single).finished());

    Path two = temp.resolve("two-ranks");
    SparkTrainingJob.Result result =
        SparkTrainingJob.run(spark.sparkContext(), settings(two, TrainConfig.WORKERS + "=2"));
    assertTrue(result.finished());
    assertEquals(4, result.lastStep());
    assertEquals(List.of(0, 1), result.ranks().stream().map(RankSummary::rank).toList());
    assertTrue(result.plan().local());

    Map<String, float[]> expected = new CheckpointStore(one, 1).latest().get().readWeights();
    Map<String, float[]> actual = new CheckpointStore(two, 1).latest().get().readWeights();
    assertEquals(expected.keySet(), actual.keySet());
    assertEquals(18, actual.size()); // the 2 new blocks x 9 tensors
    // Same global batch, same rows: equal up to F32 summation order. Adam divides by the gradient's
    // own size, so weights whose gradient is near zero (q/k/v behind a zero o_proj at step 1)
    // amplify that rounding; hence a bound per element and a much tighter one on the mean.
    double sumDifference = 0;
    long count = 0;
    for (String name : expected.keySet()) {
      float[] a = actual.get(name);
      float[] b = expected.get(name);
      for (int i = 0; i < b.length; i++) {
        assertEquals(b[i], a[i], 5e-4, name + "[" + i + "]");
        sumDifference += Math.abs(a[i] - b[i]);
        count++;
      }
    }
    double meanDifference = sumDifference / count;
    assertTrue(meanDifference < 2e-6, "mean |difference| " + meanDifference);

    List<String> events = RunEvents.read(two).stream().map(RunEvent::name).toList();
    assertEquals(List.of("job_started", "attempt_started", "job_finished"), events);
    RunEvent.AttemptStarted attempt = (RunEvent.AttemptStarted) RunEvents.read(two).get(1);
    assertEquals(2, attempt.ranks().size());
    assertEquals("cpu()", attempt.ranks().get(1).device());
    assertEquals(0, attempt.resumeFromStep());
  }

  @Test
  void aDivergingRunFailsOnceWithItsOwnMessageInsteadOfRetrainingEveryAttempt() {
    // A learning rate this large makes the loss non-finite within a few steps on every rank.
    Path run = temp.resolve("diverging");
    TrainingDivergedException e =
        assertThrows(
            TrainingDivergedException.class,
            () ->
                SparkTrainingJob.run(
                    spark.sparkContext(),
                    settings(
                        run,
                        TrainConfig.WORKERS + "=2",
                        OptimizerSettings.LR + "=1e9",
                        OptimizerSettings.MIN_LR + "=1e8",
                        OptimizerSettings.WARMUP_RATIO + "=0",
                        OptimizerSettings.GRAD_CLIP + "=0",
                        TrainConfig.MAX_SKIPPED_STEPS + "=1",
                        TrainConfig.STEPS + "=8")));
    assertTrue(e.getMessage().startsWith("Training diverged at step " + e.step()), e.getMessage());
    // Spark retried the barrier stage, but no retried attempt trained again.
    long attempts =
        RunEvents.read(run).stream()
            .filter(event -> event.name().equals("attempt_started"))
            .count();
    assertEquals(1, attempts, RunEvents.read(run).toString());
    // The listener appends rank failures asynchronously, so job_failed need not be last.
    assertTrue(
        RunEvents.read(run).stream().anyMatch(event -> event.name().equals("job_failed")),
        RunEvents.read(run).toString());
  }

  @Test
  void refusesMoreRanksThanLocalSlots() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SparkTrainingJob.run(
                    spark.sparkContext(),
                    settings(
                        temp.resolve("three"),
                        TrainConfig.WORKERS + "=3",
                        TrainConfig.GLOBAL_BATCH_SIZE + "=6")));
    assertEquals(
        "Refusing to start: a barrier stage of 3 ranks needs 3 task slots, but master local[2] has"
            + " 2; use local[3] or fewer ranks (--world-size)",
        e.getMessage());
    assertTrue(Files.notExists(temp.resolve("three")), "nothing was started");
  }

  @Test
  void refusesARunDirectoryThatHoldsARunWithoutResume() throws Exception {
    Path run = Files.createDirectories(temp.resolve("taken"));
    Files.writeString(run.resolve(TrainingRun.RUN_FILE), "{}");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SparkTrainingJob.run(
                    spark.sparkContext(), settings(run, TrainConfig.WORKERS + "=2")));
    assertTrue(e.getMessage().contains("already holds a run"), e.getMessage());
  }

  @Test
  void rejectsUnknownAllReduceAndSparkKeys() {
    Exception e =
        assertThrows(
            RuntimeException.class, () -> settings(temp.resolve("x"), "train.allreduce.timout=5s"));
    assertTrue(e.getMessage().contains("train.allreduce.timout"), e.getMessage());
    e =
        assertThrows(
            RuntimeException.class,
            () -> settings(temp.resolve("x"), SparkTrainSettings.EXECUTOR_WAIT + "=0"));
    assertEquals(
        "Invalid train.spark.executor-wait: '0' (expected seconds > 0, e.g. 120s)", e.getMessage());
  }
}
