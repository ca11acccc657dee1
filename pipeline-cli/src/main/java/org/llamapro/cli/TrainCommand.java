package org.llamapro.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.llamapro.cli.config.UnconvertedGroups;
import org.llamapro.config.Settings;
import org.llamapro.train.spark.SparkTrainSettings;
import org.llamapro.train.spark.SparkTrainingJob;
import org.llamapro.train.trainer.TrainConfig;
import org.llamapro.train.trainer.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline train}: continued pretraining of an expanded model on packed shards. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Continue pretraining an expanded model on packed shards; by default only the blocks"
          + " 'expand' added learn. Prints the run's outcome as one JSON line.",
      "Every option is also a config key (train.*), settable with --config/--set."
    })
final class TrainCommand implements Callable<Integer> {
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

  @Override
  public Integer call() {
    Settings settings =
        config
            .resolve(
                UnconvertedGroups.TRAIN, UnconvertedGroups.ALLREDUCE, UnconvertedGroups.SPARK_TRAIN)
            .with(TrainConfig.MODEL, model)
            .with(TrainConfig.SHARDS, shards)
            .with(TrainConfig.OUTPUT, output)
            .with(TrainConfig.STEPS, steps)
            .with(TrainConfig.MICRO_BATCH_SIZE, microBatchSize)
            .with(TrainConfig.GLOBAL_BATCH_SIZE, globalBatchSize)
            .with(TrainConfig.SEQ_LEN, seqLen)
            .with(TrainConfig.LR, lr)
            .with(TrainConfig.WARMUP_RATIO, warmupRatio)
            .with(TrainConfig.MIN_LR, minLr)
            .with(TrainConfig.WEIGHT_DECAY, weightDecay)
            .with(TrainConfig.SEED, seed)
            .with(TrainConfig.CHECKPOINT_EVERY, checkpointEvery)
            .with(TrainConfig.EVAL_EVERY, evalEvery)
            .with(TrainConfig.TRAINABLE, trainable)
            .with(TrainConfig.STOP_AT_STEP, stopAtStep)
            .with(TrainConfig.RESUME, resume)
            .with(TrainConfig.DEVICE, device)
            .with(TrainConfig.DTYPE, dtype)
            .with(TrainConfig.WORKERS, worldSize);
    TrainingRun.Result result = SparkTrainingJob.run(SparkTrainSettings.from(settings));
    System.out.println(
        String.format(
            Locale.ROOT,
            "{\"run\": \"%s\", \"step\": %d, \"finished\": %b, \"loss\": %.6f,"
                + " \"val_loss\": %s, \"checkpoint\": \"%s\"}",
            result.runDirectory(),
            result.lastStep(),
            result.finished(),
            result.lastLoss(),
            Double.isNaN(result.lastValidationLoss())
                ? "null"
                : String.format(Locale.ROOT, "%.6f", result.lastValidationLoss()),
            result.lastCheckpoint()));
    return 0;
  }
}
