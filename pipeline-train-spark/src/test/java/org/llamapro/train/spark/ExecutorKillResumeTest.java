package org.llamapro.train.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.config.Settings;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.train.trainer.CheckpointStore;
import org.llamapro.train.trainer.TrainConfig;

/**
 * The real thing on loopback: a standalone master and two workers (separate JVMs), a barrier
 * training run across two executor JVMs, one executor SIGKILLed mid-run. Spark relaunches the
 * stage, both ranks resume from the last checkpoint, and the run ends with the same parameters as
 * an uninterrupted one.
 */
class ExecutorKillResumeTest {
  private static final int STEPS = 16;

  @TempDir Path temp;

  @Test
  void killedExecutorIsReplacedAndTheRunResumesFromItsCheckpoint() throws Exception {
    Path model = SparkFixtures.model(temp.resolve("model"));
    Path shards = temp.resolve("shards");
    Path reference = temp.resolve("reference");
    SparkSession local = SparkSessions.smallLocal("ExecutorKillResumeTest-local");
    try {
      SparkFixtures.shards(local, shards, 80);
      // The uninterrupted run: the same job, ranks as threads of this JVM.
      assertTrue(
          SparkTrainingJob.run(local.sparkContext(), settings(model, shards, reference))
              .finished());
    } finally {
      local.stop();
    }

    Path run = temp.resolve("run");
    try (StandaloneCluster cluster = StandaloneCluster.start(temp.resolve("cluster"), 2)) {
      SparkSession spark =
          SparkSession.builder()
              .appName("ExecutorKillResumeTest")
              .master(cluster.masterUrl())
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.executor.cores", "1")
              .config("spark.cores.max", "2")
              .config("spark.executor.memory", "600m")
              .config("spark.executor.extraJavaOptions", StandaloneCluster.sparkJvmFlags())
              .config("spark.executor.extraClassPath", cluster.classDirectories())
              .config("spark.executorEnv.DJL_OFFLINE", "true")
              .config(
                  "spark.executorEnv.DJL_CACHE_DIR",
                  System.getenv().getOrDefault("DJL_CACHE_DIR", temp.resolve("djl").toString()))
              .config("spark.executorEnv.OMP_NUM_THREADS", "1")
              .config("spark.stage.maxConsecutiveAttempts", "4")
              .getOrCreate();
      try {
        CompletableFuture<SparkTrainingJob.Result> job =
            CompletableFuture.supplyAsync(
                () -> SparkTrainingJob.run(spark.sparkContext(), settings(model, shards, run)));
        Path checkpoint = run.resolve("checkpoints/step-00000004");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (!Files.isDirectory(checkpoint) && !job.isDone() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertTrue(Files.isDirectory(checkpoint), "no checkpoint at step 4; job done: " + job);
        assertFalse(
            Files.isDirectory(run.resolve("checkpoints/step-" + String.format("%08d", STEPS))),
            "the run finished before the kill");
        List<ProcessHandle> executors = cluster.executors();
        assertEquals(2, executors.size(), "executor JVMs: " + executors);
        ProcessHandle victim = executors.get(1);
        // SIGKILL: no shutdown hook, sockets reset by the kernel, as when a machine dies.
        new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).start().waitFor();

        SparkTrainingJob.Result result = job.get(6, TimeUnit.MINUTES);
        assertTrue(result.finished());
        assertEquals(STEPS, result.lastStep());
        assertTrue(
            result.leader().stageAttempt() >= 1,
            "finished in a later stage attempt: " + result.leader());
        assertTrue(result.leader().resumedFromStep() >= 4, result.leader().toString());
      } finally {
        spark.stop();
      }
    }

    // Resume itself is bit-identical; the reference ran as threads of this JVM with libtorch's
    // default thread count, the executors with one thread, so sums may round differently (1 ulp
    // was seen): F32 tolerance.
    Map<String, float[]> expected = new CheckpointStore(reference, 1).latest().get().readWeights();
    Map<String, float[]> actual = new CheckpointStore(run, 1).latest().get().readWeights();
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      float[] a = actual.get(name);
      float[] b = expected.get(name);
      for (int i = 0; i < b.length; i++) {
        assertEquals(b[i], a[i], 1e-5 * (1 + Math.abs(b[i])), name + "[" + i + "]");
      }
    }
    List<String> events = RunEvents.read(run).stream().map(RunEvent::name).toList();
    assertEquals("job_started", events.get(0));
    assertEquals("job_finished", events.get(events.size() - 1));
    assertTrue(events.contains("rank_failed"), events.toString());
    assertTrue(events.contains("stage_resubmitted"), events.toString());
    List<RunEvent.AttemptStarted> attempts =
        RunEvents.read(run).stream()
            .filter(e -> e instanceof RunEvent.AttemptStarted)
            .map(e -> (RunEvent.AttemptStarted) e)
            .toList();
    assertTrue(attempts.size() >= 2, "attempts: " + attempts);
    assertTrue(attempts.get(attempts.size() - 1).resumeFromStep() >= 4);
  }

  private static SparkTrainSettings settings(Path model, Path shards, Path output) {
    return SparkTrainSettings.from(
        Settings.of(
            SparkFixtures.settings(
                model,
                shards,
                output,
                TrainConfig.WORKERS + "=2",
                TrainConfig.STEPS + "=" + STEPS,
                "train.allreduce.timeout=20s")));
  }
}
