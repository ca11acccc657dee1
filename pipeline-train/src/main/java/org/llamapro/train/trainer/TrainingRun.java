package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.llamapro.train.allreduce.AllReduce;
import org.llamapro.train.allreduce.SingleWorkerAllReduce;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.model.ComputeTarget;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.PretrainedModels;
import org.llamapro.train.model.TensorSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training run from start (or resumption) to its last step or {@code stop-at-step}: checks the
 * inputs ({@link RunChecks}), loads the expanded model (with the latest checkpoint's weights when
 * resuming), writes {@link RunFile}, and runs the {@link StepLoop}. The run directory holds {@value
 * #RUN_FILE}, {@code metrics.jsonl}, {@value #PLOT_FILE} and {@code checkpoints/}.
 *
 * <p>Every worker runs this with its own {@link AllReduce}; only rank 0 writes files.
 */
public final class TrainingRun {
  public static final String RUN_FILE = RunFile.FILE_NAME;
  public static final String PLOT_FILE = "loss.png";
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  /** Opens the training data at a table version ({@code -1}: the latest). */
  @FunctionalInterface
  public interface DataOpener {
    TrainingData open(long version);
  }

  /** How a run ended. */
  public record Result(
      Path runDirectory,
      int lastStep,
      boolean finished,
      double lastLoss,
      double lastValidationLoss,
      Path lastCheckpoint) {}

  private TrainingRun() {}

  /** One worker, the shard table named by the config. */
  public static Result run(TrainConfig config) {
    return run(
        config,
        version -> ShardTableData.open(config.shards(), version),
        new SingleWorkerAllReduce());
  }

  public static Result run(TrainConfig config, DataOpener data, AllReduce exchange) {
    requireNonNull(config, "config is null");
    requireNonNull(data, "data is null");
    requireNonNull(exchange, "exchange is null");
    RunChecks.checkSetup(config, exchange);
    RunFile previous = RunChecks.checkRunDirectory(config, exchange.rank() == 0);
    long version = previous != null ? previous.pinnedVersion() : config.shardsVersion();
    try (HfModelDirectory directory = HfModelDirectory.open(config.model());
        TrainingData rows = data.open(version)) {
      LlamaConfig modelConfig = PretrainedModels.config(directory);
      TrainingData.Description description = rows.description();
      RunChecks.checkInputs(config, directory, modelConfig, description, previous);
      TrainableSet trainable =
          TrainableSet.resolve(config.trainable(), modelConfig, config.model());
      CheckpointStore store = new CheckpointStore(config.output(), config.keepCheckpoints());
      Optional<RunCheckpoint> checkpoint =
          config.resume() ? store.latestVerified() : Optional.<RunCheckpoint>empty();
      ComputeTarget target = ComputeTarget.resolve(config.device(), config.dtype()).logged("train");
      TensorSource source = PretrainedModels.tensorSource(directory);
      if (checkpoint.isPresent()) {
        LOG.info("Resuming from {}", checkpoint.get().directory());
        source = checkpoint.get().overlay(source);
      }
      try (LlamaModel model =
              LlamaModel.load(modelConfig, source, target.device(), target.dtype());
          Trainer trainer =
              new Trainer(
                  model, trainable, source, config.optimizer(), config.documentMask(), exchange)) {
        if (checkpoint.isPresent()) {
          restore(trainer, checkpoint.get());
        }
        // Every rank has passed its checks (a fresh run found no run.json) before rank 0 writes.
        exchange.barrier();
        if (checkpoint.isEmpty() && exchange.rank() == 0) {
          runFile(config, description, trainable, trainer, target).write(config.output());
        }
        return new StepLoop(config, trainer, rows, store, checkpoint, target, modelConfig).run();
      }
    }
  }

  private static void restore(Trainer trainer, RunCheckpoint checkpoint) {
    CheckpointState state = checkpoint.state();
    Map<String, float[]>[] moments = checkpoint.readMoments();
    trainer.restore(
        moments[0],
        moments[1],
        state.optimizerUpdates(),
        state.lossScale(),
        state.lossScaleCleanSteps());
  }

  private static RunFile runFile(
      TrainConfig config,
      TrainingData.Description data,
      TrainableSet trainable,
      Trainer trainer,
      ComputeTarget target) {
    return new RunFile(
        config.asMap(),
        config.identity(),
        data,
        config.model().toAbsolutePath().normalize().toString(),
        trainable.describe(),
        trainer.trainableNames(),
        trainer.trainableParameterCount(),
        target.device().toString(),
        target.dtype() == DataType.FLOAT16 ? "float16" : "float32",
        Instant.now().toString());
  }
}
