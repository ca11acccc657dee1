package org.llamapro.train.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.llamapro.train.allreduce.PeerAddress;

class LaunchChecksTest {
  private static SparkConf conf(String... pairs) {
    SparkConf conf = new SparkConf(false).set("spark.master", "spark://h:7077");
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      conf.set(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return conf;
  }

  private static String refusal(Runnable check) {
    return assertThrows(IllegalArgumentException.class, check::run).getMessage();
  }

  @Test
  void refusesDynamicAllocation() {
    assertEquals(
        "Refusing to start: spark.dynamicAllocation.enabled=true, but a barrier training stage"
            + " needs a fixed set of executors; set it to false",
        refusal(
            () ->
                LaunchChecks.checkSettings(
                    conf("spark.dynamicAllocation.enabled=true"), 2, "cpu")));
  }

  @Test
  void refusesSpeculation() {
    assertTrue(
        refusal(() -> LaunchChecks.checkSettings(conf("spark.speculation=true"), 2, "cpu"))
            .startsWith("Refusing to start: spark.speculation=true"));
  }

  @Test
  void refusesCpuWhenGpusWereAskedFor() {
    assertEquals(
        "Refusing to start: GPUs were asked for (spark.task.resource.gpu.amount=1) but"
            + " train.device=cpu; set train.device=gpu (each task then takes the GPU Spark assigns"
            + " it) or drop the GPU resource settings",
        refusal(
            () -> LaunchChecks.checkSettings(conf("spark.task.resource.gpu.amount=1"), 2, "cpu")));
  }

  @Test
  void refusesAShareOfAGpu() {
    assertEquals(
        "Invalid spark.task.resource.gpu.amount: 0.5 (each rank needs exactly one GPU of its own:"
            + " 1)",
        refusal(
            () ->
                LaunchChecks.checkSettings(conf("spark.task.resource.gpu.amount=0.5"), 2, "gpu")));
  }

  @Test
  void refusesGpuTrainingOnAClusterWithoutGpuScheduling() {
    assertTrue(
        refusal(() -> LaunchChecks.checkSettings(conf(), 4, "gpu"))
            .contains("Spark would not give each of the 4 tasks its own GPU"));
    // One rank, or local mode (threads of one JVM), may share the configured GPU.
    LaunchChecks.checkSettings(conf(), 1, "gpu");
    LaunchChecks.checkSettings(conf("spark.master=local[2]"), 2, "gpu");
  }

  @Test
  void refusesExecutorsThatRunMoreThanOneTask() {
    String message =
        refusal(
            () ->
                LaunchChecks.checkSlots(
                    conf("spark.executor.cores=2"),
                    "spark://h:7077",
                    2,
                    List.of(new ExecutorSlots("0", "w1:4040", 2, 0))));
    assertEquals(
        "Refusing to start: executor 0 on w1:4040 runs up to 2 tasks at once"
            + " (spark.executor.cores=2, spark.task.cpus=1), but DJL allows one gradient tape per"
            + " JVM, so each executor must run one rank: set spark.task.cpus equal to"
            + " spark.executor.cores",
        message);
  }

  @Test
  void refusesTooFewSlots() {
    assertEquals(
        "Refusing to start: a barrier stage of 3 ranks needs 3 task slots (one per executor), but"
            + " 2 executor(s) with 2 slot(s) registered; start more executors"
            + " (spark.executor.instances) or use fewer ranks (--world-size)",
        refusal(
            () ->
                LaunchChecks.checkSlots(
                    conf(),
                    "spark://h:7077",
                    3,
                    List.of(
                        new ExecutorSlots("0", "w1", 1, 0), new ExecutorSlots("1", "w2", 1, 0)))));
  }

  @Test
  void acceptsOneTaskPerExecutorAndCountsLocalThreads() {
    LaunchChecks.Plan plan =
        LaunchChecks.checkSlots(
            conf("spark.task.resource.gpu.amount=1"),
            "spark://h:7077",
            2,
            List.of(new ExecutorSlots("0", "w1", 1, 1), new ExecutorSlots("1", "w2", 1, 1)));
    assertEquals(new LaunchChecks.Plan(false, true, 2), plan);
    assertEquals(4, LaunchChecks.localSlots("local[4]"));
    assertEquals(2, LaunchChecks.localSlots("local[2, 3]"));
    assertEquals(1, LaunchChecks.localSlots("local"));
    assertEquals(-1, LaunchChecks.localSlots("local-cluster[2,1,1024]"));
    assertEquals(-1, LaunchChecks.localSlots("yarn"));
  }

  @Test
  void ranksMustAgreeOnTheCheckpointToResumeFrom() {
    List<RankView> same =
        List.of(
            new RankView(0, new PeerAddress("a", 1000), 4, true, "0", "cpu()"),
            new RankView(1, new PeerAddress("b", 1001), 4, true, "1", "cpu()"));
    assertEquals(4, RankView.agreedCheckpoint(same, "/runs/x"));
    assertEquals(
        same, RankView.parseAll(same.stream().map(RankView::encode).toArray(String[]::new)));
    List<RankView> different =
        List.of(
            new RankView(0, new PeerAddress("a", 1000), 4, true, "0", "cpu()"),
            new RankView(1, new PeerAddress("b", 1001), 0, false, "1", "cpu()"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> RankView.agreedCheckpoint(different, "/runs/x"));
    assertEquals(
        "The ranks disagree on the state of run directory /runs/x: rank 0 (executor 0 on a) sees"
            + " checkpoint step 4 and run.json; rank 1 (executor 1 on b) sees no checkpoint and no"
            + " run.json. Every executor must see the same run directory (a shared filesystem), and"
            + " no task of an earlier attempt may still be writing to it",
        e.getMessage());
  }

  @Test
  void shippedGpuDefaultsAndThePaperRunPassTheChecks() throws Exception {
    java.util.Properties defaults = new java.util.Properties();
    try (java.io.Reader in =
        java.nio.file.Files.newBufferedReader(
            java.nio.file.Path.of("../conf/spark-defaults-gpu.conf"))) {
      defaults.load(in);
    }
    SparkConf conf = conf();
    defaults.stringPropertyNames().forEach(k -> conf.set(k, defaults.getProperty(k)));
    SparkTrainSettings paper =
        SparkTrainSettings.from(
            org.llamapro.config.Settings.load(
                java.nio.file.Path.of("../conf/train-paper-16gpu.properties")));
    assertEquals(16, paper.trainConfig().workers());
    assertEquals(32, paper.trainConfig().accumulationSteps());
    assertEquals(org.llamapro.train.allreduce.WireType.F16, paper.allReduceConfig().wireType());
    LaunchChecks.checkSettings(conf, 16, paper.trainConfig().device());
    List<ExecutorSlots> executors = new java.util.ArrayList<>();
    for (int i = 0; i < 16; i++) {
      executors.add(new ExecutorSlots(Integer.toString(i), "gpu-node-" + i / 8, 1, 1));
    }
    assertEquals(
        new LaunchChecks.Plan(false, true, 16),
        LaunchChecks.checkSlots(conf, "yarn", 16, executors));
  }
}
