package org.llamapro.train.spark;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.status.api.v1.ExecutorSummary;
import org.llamapro.shards.ShardColumns;
import org.llamapro.shards.ShardTable;
import org.llamapro.train.trainer.NonFinite;
import org.llamapro.train.trainer.RunFile;
import org.llamapro.train.trainer.TrainConfig;
import org.llamapro.train.trainer.TrainingRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Data-parallel training as one Spark job: a barrier stage of {@code train.workers} tasks, one per
 * rank, each training the same model on its slice of the shards and exchanging gradients directly
 * with the others over TCP (a ring; Spark only carries the rendezvous addresses).
 *
 * <p>Failure: Spark never retries a failed barrier result stage, but it resubmits a barrier stage
 * that feeds a shuffle. So the per-rank summaries go through {@code repartition(1)}: when a task or
 * an executor dies, Spark kills the other ranks and relaunches all of them (at most {@code
 * spark.stage.maxConsecutiveAttempts} times), and every rank resumes from the last complete
 * checkpoint. {@code events.jsonl} in the run directory records the attempts and failures.
 */
public final class SparkTrainingJob {
  private static final Logger LOG = LoggerFactory.getLogger(SparkTrainingJob.class);

  /**
   * How the job ended.
   *
   * @param ranks each rank's summary line, by rank
   * @param lastStep the last step trained (the same on every rank)
   * @param finished whether the run reached {@code train.steps}
   * @param plan what the launch checks found
   */
  public record Result(
      List<RankSummary> ranks, int lastStep, boolean finished, LaunchChecks.Plan plan) {
    /** Rank 0's summary. */
    public RankSummary leader() {
      return ranks.get(0);
    }

    /** The outcome in the single-worker form (what {@code pipeline train} prints). */
    public TrainingRun.Result asRunResult(java.nio.file.Path runDirectory) {
      RankSummary leader = leader();
      return new TrainingRun.Result(
          runDirectory,
          lastStep,
          finished,
          NonFinite.orNaN(leader.loss()),
          NonFinite.orNaN(leader.valLoss()),
          leader.checkpoint() == null ? null : java.nio.file.Path.of(leader.checkpoint()));
    }
  }

  private SparkTrainingJob() {}

  /**
   * Trains with {@code settings}: one worker in this JVM when {@code train.workers} is 1 and no
   * Spark master is set, else the barrier job in the SparkContext that {@code spark-submit} made,
   * or in {@code local[W]} when run directly.
   */
  public static TrainingRun.Result run(SparkTrainSettings settings) {
    TrainConfig config = settings.trainConfig();
    boolean submitted =
        System.getProperty("spark.master") != null || System.getenv("SPARK_MASTER") != null;
    if (config.workers() == 1 && !submitted) {
      return TrainingRun.run(config);
    }
    SparkSession.Builder builder = SparkSession.builder().appName("llama-pro train");
    if (!submitted) {
      builder
          .master("local[" + config.workers() + "]")
          .config("spark.ui.showConsoleProgress", "false");
    }
    SparkSession session = builder.getOrCreate();
    try {
      return run(session.sparkContext(), settings).asRunResult(config.output());
    } finally {
      session.stop();
    }
  }

  /**
   * Checks the cluster, then trains; returns once every rank has finished.
   *
   * @throws IllegalArgumentException when a launch check fails (nothing started)
   */
  public static Result run(SparkContext spark, SparkTrainSettings settings) {
    requireNonNull(spark, "spark is null");
    requireNonNull(settings, "settings is null");
    TrainConfig config = settings.trainConfig();
    int world = config.workers();
    SparkConf conf = spark.getConf();
    LaunchChecks.checkSettings(conf, world, config.device());
    if (!config.resume() && RunFile.exists(config.output())) {
      throw new IllegalArgumentException(
          "Run directory "
              + config.output()
              + " already holds a run ("
              + RunFile.FILE_NAME
              + "); pass --resume to continue it, or choose a new --output");
    }
    Divergence.clear(config.output());
    LaunchChecks.Plan plan = waitForSlots(spark, world, settings.executorWait());
    describeBalance(config, world);
    RunEvents.append(
        config.output(),
        new RunEvent.JobStarted(
            RunEvent.now(),
            world,
            spark.master(),
            spark.applicationId(),
            plan.gpus(),
            conf.getInt("spark.stage.maxConsecutiveAttempts", 4)));

    RunEventsListener listener = new RunEventsListener(config.output());
    spark.addSparkListener(listener);
    try {
      List<String> lines = train(spark, settings, plan, world);
      List<RankSummary> ranks = new ArrayList<>();
      for (String line : lines) {
        ranks.add(RankSummary.parse(line));
      }
      ranks.sort(Comparator.comparingInt(RankSummary::rank));
      RankSummary leader = ranks.get(0);
      Result result = new Result(List.copyOf(ranks), leader.lastStep(), leader.finished(), plan);
      RunEvents.append(
          config.output(),
          new RunEvent.JobFinished(
              RunEvent.now(), result.lastStep(), result.finished(), leader.stageAttempt()));
      return result;
    } catch (Exception e) { // also Spark's SparkException: checked, but undeclared by Scala
      RunEvents.appendQuietly(
          config.output(),
          new RunEvent.JobFailed(
              RunEvent.now(), String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
      // Spark wraps a rank's exception in its own; a divergence is reported as itself.
      Optional<Divergence> divergence = Divergence.read(config.output());
      if (divergence.isPresent()) {
        throw divergence.get().toException();
      }
      throw e;
    } finally {
      spark.removeSparkListener(listener);
    }
  }

  private static List<String> train(
      SparkContext spark, SparkTrainSettings settings, LaunchChecks.Plan plan, int world) {
    JavaSparkContext java = JavaSparkContext.fromSparkContext(spark);
    List<Integer> ranks = IntStream.range(0, world).boxed().toList();
    ClassTag<String> strings = ClassTag$.MODULE$.apply(String.class);
    spark.setJobDescription("train: barrier stage of " + world + " ranks");
    RDD<String> trained =
        java.parallelize(ranks, world)
            .rdd()
            .barrier()
            .mapPartitions(new RankTask(settings, plan.gpus()), false, strings);
    // The shuffle makes the barrier stage a ShuffleMapStage, which Spark resubmits on failure.
    return new JavaRDD<>(trained, strings).repartition(1).collect();
  }

  /** Waits until the executors offer the slots of a barrier stage of {@code world}, then checks. */
  static LaunchChecks.Plan waitForSlots(SparkContext spark, int world, Duration wait) {
    SparkConf conf = spark.getConf();
    if (LaunchChecks.localSlots(spark.master()) > 0) {
      LaunchChecks.Plan plan = LaunchChecks.checkSlots(conf, spark.master(), world, List.of());
      if (world > 1) {
        LOG.info(
            "Local mode: {} ranks are threads of this JVM and take turns on the gradient tape",
            world);
      }
      return plan;
    }
    long deadline = System.nanoTime() + wait.toNanos();
    List<ExecutorSlots> executors = executors(spark);
    while (executors.stream().mapToInt(ExecutorSlots::maxTasks).sum() < world
        && System.nanoTime() < deadline) {
      if (spark.isStopped()) {
        throw new IllegalStateException(
            "The SparkContext stopped while waiting for executors (is the master "
                + spark.master()
                + " reachable?)");
      }
      LOG.info(
          "Waiting for executors: {} of {} task slots registered",
          executors.stream().mapToInt(ExecutorSlots::maxTasks).sum(),
          world);
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for executors", e);
      }
      executors = executors(spark);
    }
    return LaunchChecks.checkSlots(conf, spark.master(), world, executors);
  }

  private static List<ExecutorSlots> executors(SparkContext spark) {
    List<ExecutorSlots> slots = new ArrayList<>();
    for (ExecutorSummary e : CollectionConverters.asJava(spark.statusStore().executorList(true))) {
      if (e.id().equals("driver") || !e.isActive()) {
        continue;
      }
      int gpus =
          e.resources().get("gpu").isDefined()
              ? e.resources().get("gpu").get().addresses().length
              : 0;
      slots.add(new ExecutorSlots(e.id(), e.hostPort(), e.maxTasks(), gpus));
    }
    return slots;
  }

  /** Logs how the train rows split over the ranks and how many each epoch leaves out. */
  private static void describeBalance(TrainConfig config, int world) {
    try {
      ShardTable table = ShardTable.open(config.shards().toString(), config.shardsVersion());
      long rows = table.rowCount(ShardColumns.TRAIN);
      long perRank = rows / world;
      LOG.info(
          "{} train rows over {} ranks: {} per rank per epoch; {} left out of each epoch so that"
              + " every rank runs the same number of steps",
          rows,
          world,
          perRank,
          rows - perRank * world);
    } catch (RuntimeException e) {
      // The driver may not see the shards (e.g. a path only executors mount); the ranks check.
      LOG.info("Cannot read the shard table on the driver ({}); the ranks will", e.getMessage());
    }
  }
}
