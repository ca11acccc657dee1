package org.llamapro.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.llamapro.config.Settings;
import org.llamapro.train.allreduce.AllReduceConfig;
import org.llamapro.train.spark.SparkTrainSettings;
import org.llamapro.train.spark.SparkTrainingJob;
import org.llamapro.train.trainer.JsonLines;
import org.llamapro.train.trainer.NonFinite;
import org.llamapro.train.trainer.OptimizerSettings;
import org.llamapro.train.trainer.TrainConfig;
import org.llamapro.train.trainer.TrainingDivergedException;
import org.llamapro.train.trainer.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pipeline train}: continued pretraining of an expanded model on packed shards. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Continue pretraining an expanded model on packed shards; by default only the blocks"
          + " 'expand' added learn. Prints the run's outcome as one JSON line.",
      "A step whose loss or gradient is not finite is skipped (lowering the F16 loss scale);"
          + " after train.max-skipped-steps such steps in a row the run stops with exit 1, naming"
          + " the step and the last good checkpoint. --output must lie outside --model and"
          + " --shards.",
      "Every option is also a config key (train.*), settable with --config/--set."
    })
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ConfigOptions config;

  @Option(names = "--model", paramLabel = "DIR", description = "Expanded model directory.")
  Path model;

  @Option(
      names = "--shards",
      paramLabel = "DIR",
      description = "Packed shards (pack output): a path or a Hadoop URI (hdfs://, s3a://).")
  String shards;

  @Option(names = "--output", paramLabel = "RUN_DIR", description = "Run directory.")
  Path output;

  @Option(names = "--steps", description = "Total optimizer steps (fixes the schedule).")
  Integer steps;

  @Option(names = "--micro-batch-size", description = "Rows per forward/backward (default 4).")
  Integer microBatchSize;

  @Option(names = "--global-batch-size", description = "Rows per optimizer step (default 1024).")
  Integer globalBatchSize;

  @Option(names = "--seq-len", description = "Tokens per row; must match the shards (4096).")
  Integer seqLen;

  @Option(names = "--lr", description = "Peak learning rate (default 2e-4).")
  Double lr;

  @Option(names = "--warmup-ratio", description = "Share of steps in linear warmup (0.06).")
  Double warmupRatio;

  @Option(names = "--min-lr", description = "Floor of the cosine decay (default 2e-5).")
  Double minLr;

  @Option(names = "--weight-decay", description = "AdamW weight decay on matrices (0.1).")
  Double weightDecay;

  @Option(names = "--seed", description = "Seed of the data order (default 1234).")
  Long seed;

  @Option(names = "--checkpoint-every", description = "Steps between checkpoints (100).")
  Integer checkpointEvery;

  @Option(names = "--eval-every", description = "Steps between validations; 0 = only at the end.")
  Integer evalEvery;

  @Option(
      names = "--trainable",
      description = "new (default: the expanded blocks), all, blocks, or indices like 4,9,14.")
  String trainable;

  @Option(names = "--stop-at-step", description = "End cleanly after this step's checkpoint.")
  Integer stopAtStep;

  @Option(names = "--resume", description = "Continue from the latest complete checkpoint.")
  Boolean resume;

  @Option(
      names = "--world-size",
      description =
          "Data-parallel ranks (train.workers, default 1): a Spark barrier stage of W tasks; run"
              + " directly it is local[W], under spark-submit the cluster's executors.")
  Integer worldSize;

  @Option(names = "--device", description = "cpu, gpu, gpu:N or auto (default auto).")
  String device;

  @Option(names = "--dtype", description = "f32, f16 or auto (f32 on CPU, f16 on GPU).")
  String dtype;

  /**
   * The line {@code train} prints. JSON has no NaN: a loss that is not finite is null and named in
   * {@code non_finite}; a validation loss is null also when no validation ran.
   */
  record Outcome(
      String run,
      int step,
      boolean finished,
      Double loss,
      Double valLoss,
      String checkpoint,
      List<String> nonFinite) {
    static Outcome of(TrainingRun.Result result) {
      double loss = result.lastLoss();
      double val = result.lastValidationLoss();
      return new Outcome(
          result.runDirectory().toString(),
          result.lastStep(),
          result.finished(),
          NonFinite.orNull(loss),
          NonFinite.orNull(val),
          result.lastCheckpoint() == null ? null : result.lastCheckpoint().toString(),
          NonFinite.names("loss", loss, "val_loss", Double.isInfinite(val) ? val : 0.0));
    }

    String toJson() {
      return JsonLines.format(this);
    }
  }

  @Override
  public Integer call() {
    Settings settings =
        config
            .resolve(
                TrainConfig.KEYS,
                OptimizerSettings.KEYS,
                AllReduceConfig.KEYS,
                SparkTrainSettings.KEYS)
            .with(TrainConfig.MODEL.name(), model)
            .with(TrainConfig.SHARDS.name(), shards)
            .with(TrainConfig.OUTPUT.name(), output)
            .with(TrainConfig.STEPS.name(), steps)
            .with(TrainConfig.MICRO_BATCH_SIZE.name(), microBatchSize)
            .with(TrainConfig.GLOBAL_BATCH_SIZE.name(), globalBatchSize)
            .with(TrainConfig.SEQ_LEN.name(), seqLen)
            .with(OptimizerSettings.LR.name(), lr)
            .with(OptimizerSettings.WARMUP_RATIO.name(), warmupRatio)
            .with(OptimizerSettings.MIN_LR.name(), minLr)
            .with(OptimizerSettings.WEIGHT_DECAY.name(), weightDecay)
            .with(TrainConfig.SEED.name(), seed)
            .with(TrainConfig.CHECKPOINT_EVERY.name(), checkpointEvery)
            .with(TrainConfig.EVAL_EVERY.name(), evalEvery)
            .with(TrainConfig.TRAINABLE.name(), trainable)
            .with(TrainConfig.STOP_AT_STEP.name(), stopAtStep)
            .with(TrainConfig.RESUME.name(), resume)
            .with(TrainConfig.DEVICE.name(), device)
            .with(TrainConfig.DTYPE.name(), dtype)
            .with(TrainConfig.WORKERS.name(), worldSize);
    TrainingRun.Result result;
    try {
      result = SparkTrainingJob.run(SparkTrainSettings.from(settings));
    } catch (TrainingDivergedException e) {
      // A run, not bad input: exit 1 with the step and the last good checkpoint, no stack trace.
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    }
    System.out.println(Outcome.of(result).toJson());
    return 0;
  }
}
