package org.llamapro.train.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.resource.ResourceInformation;
import org.llamapro.train.allreduce.PeerAddress;
import org.llamapro.train.allreduce.RingAllReduce;
import org.llamapro.train.model.ComputeTarget;
import org.llamapro.train.trainer.CheckpointStore;
import org.llamapro.train.trainer.RunCheckpoint;
import org.llamapro.train.trainer.RunFile;
import org.llamapro.train.trainer.ShardTableData;
import org.llamapro.train.trainer.TrainConfig;
import org.llamapro.train.trainer.TrainingDivergedException;
import org.llamapro.train.trainer.TrainingRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * One rank of the barrier stage: takes its GPU, opens its ring socket, publishes it (the stage's
 * only {@code allGather}), checks that all ranks see the same checkpoint, joins the ring and runs
 * {@link TrainingRun} on its slice of the shards. Returns one JSON line describing how it ended.
 *
 * <p>A class, not a lambda: Spark serializes it to the executors, and a Java lambda given to the
 * Scala {@code RDDBarrier.mapPartitions} is not serializable. It holds only the settings as
 * strings.
 */
final class RankTask extends AbstractFunction1<Iterator<Integer>, Iterator<String>>
    implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RankTask.class);

  private final SparkTrainSettings settings;
  private final boolean gpus;

  RankTask(SparkTrainSettings settings, boolean gpus) {
    this.settings = settings;
    this.gpus = gpus;
  }

  @Override
  public Iterator<String> apply(Iterator<Integer> partition) {
    BarrierTaskContext context = BarrierTaskContext.get();
    int rank = context.partitionId();
    int attempt = context.stageAttemptNumber();
    TrainConfig config = settings.trainConfig();
    if (attempt > 0) {
      Divergence.read(config.output())
          .ifPresent(
              d -> {
                throw new IllegalStateException("Not retrying a diverged run: " + d.message());
              });
    }
    String device = device(context, rank, config.device());
    ComputeTarget target = ComputeTarget.resolve(device, config.dtype());
    if (gpus && !target.device().isGpu()) {
      throw new IllegalStateException(
          "Rank " + rank + " was given a GPU by Spark but would compute on " + target.device());
    }
    String host = host(context, rank);
    String executor = SparkEnv.get().executorId();
    ServerSocketChannel server = open();
    RankView mine;
    List<RankView> views;
    int resumeFrom;
    try {
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      CheckpointStore store = new CheckpointStore(config.output(), config.keepCheckpoints());
      int step = store.latest().map(RunCheckpoint::step).orElse(0);
      boolean runFile = RunFile.exists(config.output());
      mine =
          new RankView(
              rank,
              new PeerAddress(host, port),
              step,
              runFile,
              executor,
              target.device().toString());
      // The rendezvous: once per attempt, on every rank (barrier calls must match).
      views = RankView.parseAll(context.allGather(mine.encode()));
      resumeFrom = RankView.agreedCheckpoint(views, config.output().toString());
    } catch (IOException | RuntimeException e) {
      closeQuietly(server);
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    // A retried attempt continues the run its first attempt started.
    boolean resume = config.resume() || (attempt > 0 && mine.runFile());
    TrainConfig rankConfig =
        settings
            .with(TrainConfig.RESUME.name(), Boolean.toString(resume))
            .with(TrainConfig.DEVICE.name(), device)
            .trainConfig();
    LOG.info(
        "Rank {} of {} (stage attempt {}) on executor {} at {}, {}; {}",
        rank,
        views.size(),
        attempt,
        executor,
        mine.address(),
        target.device(),
        resume && resumeFrom > 0 ? "resuming from step " + resumeFrom : "starting at step 1");
    if (rank == 0) {
      List<RunEvent.Rank> ranks =
          views.stream()
              .map(
                  view ->
                      new RunEvent.Rank(
                          view.rank(), view.executor(), view.address().toString(), view.device()))
              .toList();
      RunEvents.append(
          config.output(),
          new RunEvent.AttemptStarted(
              RunEvent.now(), attempt, views.size(), resume, resume ? resumeFrom : 0, ranks));
    }
    String shards = config.shards().toString();
    try (RingAllReduce ring =
        RingAllReduce.builder()
            .setRank(rank)
            .setPeers(views.stream().map(RankView::address).toList())
            .setServerSocket(server)
            .optConfig(settings.allReduceConfig())
            .optSessionId(attempt) // a stale task of an earlier attempt cannot join
            .build()) {
      TrainingRun.Result result;
      try {
        result = TrainingRun.run(rankConfig, version -> ShardTableData.open(shards, version), ring);
      } catch (TrainingDivergedException e) {
        Divergence.of(e).write(config.output()); // every rank diverges at the same step
        throw e;
      }
      RankSummary summary =
          RankSummary.of(
              rank, executor, target.device().toString(), attempt, resume ? resumeFrom : 0, result);
      return CollectionConverters.asScala(List.of(summary.encode()).iterator());
    } finally {
      closeQuietly(server); // already closed by the ring unless building it failed
    }
  }

  /**
   * The device spec for this rank: the GPU Spark assigned when GPUs are scheduled, else the
   * configured one.
   */
  private String device(BarrierTaskContext context, int rank, String configured) {
    if (!gpus) {
      return configured;
    }
    Map<String, ResourceInformation> resources = context.resourcesJMap();
    ResourceInformation gpu = resources.get("gpu");
    if (gpu == null || gpu.addresses().length == 0) {
      throw new IllegalStateException(
          "Rank "
              + rank
              + " was given no GPU by Spark although "
              + LaunchChecks.TASK_GPUS
              + " is set; task resources: "
              + resources.keySet());
    }
    String address = gpu.addresses()[0];
    int index;
    try {
      index = Integer.parseInt(address.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "Rank " + rank + " was given GPU '" + address + "', which is not a device index", e);
    }
    int visible = ai.djl.engine.Engine.getInstance().getGpuCount();
    if (index >= visible && visible == 1) {
      // YARN and Kubernetes isolate the task's GPU: it is the only one the process sees.
      LOG.info("Rank {}: Spark's GPU {} is the only visible GPU, device 0", rank, address);
      index = 0;
    }
    return "gpu:" + index;
  }

  private static String host(BarrierTaskContext context, int rank) {
    String address = context.getTaskInfos()[rank].address();
    int colon = address.lastIndexOf(':');
    return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
  }

  private static ServerSocketChannel open() {
    try {
      // All interfaces: peers connect to the executor's address as Spark knows it.
      return ServerSocketChannel.open().bind(new InetSocketAddress(0));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the all-reduce socket: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(ServerSocketChannel server) {
    try {
      server.close();
    } catch (IOException e) {
      LOG.debug("Closing the all-reduce socket: {}", e.toString());
    }
  }
}
