package org.llamapro.train.trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.llamapro.train.model.ComputeTarget;
import org.llamapro.train.model.LlamaConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step loop of one worker: take the step's rows, step the {@link Trainer}, log, validate and
 * checkpoint; rank 0 writes the metrics, the checkpoints and the loss plot.
 */
final class StepLoop {
  private static final Logger LOG = LoggerFactory.getLogger(StepLoop.class);

  private final TrainConfig config;
  private final Trainer trainer;
  private final TrainingData data;
  private final CheckpointStore store;
  private final Optional<RunCheckpoint> checkpoint;
  private final boolean leader;
  private final double trainFlopsPerToken;
  private final double peakFlops;

  StepLoop(
      TrainConfig config,
      Trainer trainer,
      TrainingData data,
      CheckpointStore store,
      Optional<RunCheckpoint> checkpoint,
      ComputeTarget target,
      LlamaConfig model) {
    this.config = config;
    this.trainer = trainer;
    this.data = data;
    this.store = store;
    this.checkpoint = checkpoint;
    this.leader = trainer.exchange().rank() == 0;
    this.trainFlopsPerToken =
        FlopCounter.trainingPerToken(model, config.seqLen(), trainer.trainable());
    double tflops = config.peakTflops();
    if (tflops <= 0) {
      // Assumed peaks: an A100's dense F16 tensor-core rate; ~80 GFLOPS per AVX2 CPU core.
      tflops = target.device().isGpu() ? 312.0 : 0.08 * Runtime.getRuntime().availableProcessors();
    }
    this.peakFlops = tflops * 1e12 * config.workers();
  }

  TrainingRun.Result run() {
    int first = checkpoint.map(c -> c.step() + 1).orElse(1);
    DataCursor cursor = checkpoint.map(RunCheckpoint::dataCursor).orElse(DataCursor.START);
    Path runDirectory = config.output();
    int last = config.steps();
    if (config.stopAtStep() > 0) {
      last = Math.min(last, config.stopAtStep());
    }
    ValidationSet validation =
        ValidationSet.of(config, data, trainer.exchange().rank(), trainer.exchange().worldSize());
    double lastLoss = Double.NaN;
    double lastValidation = Double.NaN;
    Path lastCheckpoint = checkpoint.map(RunCheckpoint::directory).orElse(null);
    long runStart = System.nanoTime();
    try (MetricsLog metrics = leader ? MetricsLog.open(runDirectory, first - 1) : null;
        RowStream stream =
            data.trainRows(
                config.seed(), trainer.exchange().rank(), trainer.exchange().worldSize(), cursor)) {
      LOG.info(
          "Training {} ({} weights) on {} from step {} to {} of {}; {} micro-batches of {} rows"
              + " per worker per step",
          trainer.trainable().describe(),
          trainer.trainableParameterCount(),
          data.description().location(),
          first,
          last,
          config.steps(),
          config.accumulationSteps(),
          config.microBatchSize());
      int skippedInARow = 0;
      boolean checkpointDue = false;
      for (int step = first; step <= last; step++) {
        long start = System.nanoTime();
        List<MicroBatch> batches = takeBatches(stream);
        double dataSeconds = (System.nanoTime() - start) / 1e9;
        StepResult result = trainer.step(step, batches);
        double seconds = (System.nanoTime() - start) / 1e9;
        lastLoss = result.loss();
        if (leader) {
          logStep(metrics, step, last, result, seconds, dataSeconds);
        }
        // Every rank sees the same averaged loss and norm, so every rank decides the same.
        skippedInARow = result.skipped() ? skippedInARow + 1 : 0;
        if (skippedInARow > config.maxSkippedSteps()) {
          throw new TrainingDivergedException(
              step,
              "the loss or the gradient was not finite for "
                  + skippedInARow
                  + " steps in a row ("
                  + TrainConfig.MAX_SKIPPED_STEPS
                  + " = "
                  + config.maxSkippedSteps()
                  + "; last loss "
                  + result.loss()
                  + ", gradient norm "
                  + result.gradNorm()
                  + ", loss scale "
                  + result.lossScale()
                  + ")",
              lastCheckpoint);
        }
        boolean evaluate =
            (config.evalEvery() > 0 && step % config.evalEvery() == 0) || step == config.steps();
        if (evaluate && !validation.isEmpty()) {
          lastValidation = validation.loss(trainer);
          if (leader) {
            logValidation(metrics, step, lastValidation);
          }
        }
        checkpointDue |=
            step % config.checkpointEvery() == 0 || step == last || step == config.steps();
        // A skipped step is never a checkpoint: the next good step writes the one it owed.
        if (checkpointDue && !result.skipped()) {
          if (leader) {
            store.write(trainer, state(step, stream.cursor()));
          }
          lastCheckpoint = store.pathOf(step);
          checkpointDue = false;
        }
      }
    }
    // Every rank leaves together, after rank 0's last checkpoint is on disk.
    trainer.exchange().barrier();
    if (leader) {
      LossPlot.write(
          runDirectory.resolve(MetricsLog.FILE_NAME), runDirectory.resolve(TrainingRun.PLOT_FILE));
    }
    boolean finished = last == config.steps();
    LOG.info(
        "{} at step {} in {} s",
        finished ? "Finished" : "Stopped",
        last,
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - runStart) / 1e9));
    return new TrainingRun.Result(
        runDirectory, last, finished, lastLoss, lastValidation, lastCheckpoint);
  }

  private List<MicroBatch> takeBatches(RowStream stream) {
    List<MicroBatch> batches = new ArrayList<>(config.accumulationSteps());
    for (int m = 0; m < config.accumulationSteps(); m++) {
      List<TrainingRow> rows = new ArrayList<>(config.microBatchSize());
      for (int r = 0; r < config.microBatchSize(); r++) {
        rows.add(stream.next());
      }
      batches.add(new MicroBatch(rows));
    }
    return batches;
  }

  private void logStep(
      MetricsLog metrics,
      int step,
      int last,
      StepResult result,
      double seconds,
      double dataSeconds) {
    long tokens = (long) config.globalBatchSize() * config.seqLen();
    double tokensPerSecond = tokens / seconds;
    double mfu = trainFlopsPerToken * tokensPerSecond / peakFlops;
    metrics.write(MetricsLine.Train.of(result, tokens, seconds, dataSeconds, tokensPerSecond, mfu));
    if (step % config.logEvery() == 0 || step == last) {
      LOG.info(
          String.format(
              Locale.ROOT,
              "step %d/%d loss %.4f lr %.3e grad-norm %.4f loss-scale %.0f%s tokens/s %.0f"
                  + " mfu %.2f%%",
              step,
              config.steps(),
              result.loss(),
              result.learningRate(),
              result.gradNorm(),
              result.lossScale(),
              result.skipped() ? " (skipped: non-finite loss or gradient)" : "",
              tokensPerSecond,
              100 * mfu));
    }
  }

  private static void logValidation(MetricsLog metrics, int step, double loss) {
    metrics.write(MetricsLine.Eval.of(step, loss));
    LOG.info(
        String.format(
            Locale.ROOT,
            "step %d validation loss %.4f perplexity %.3f",
            step,
            loss,
            Math.exp(loss)));
  }

  private CheckpointState state(int step, DataCursor cursor) {
    // The only randomness is the seeded data order: seed + cursor restore it exactly.
    return new CheckpointState(
        trainer.optimizerUpdates(),
        trainer.lossScale(),
        trainer.lossScaleCleanSteps(),
        cursor,
        new CheckpointState.Rng(config.seed()),
        data.description(),
        trainer.exchange().worldSize(),
        config.asMap(),
        step,
        Map.of()); // the store adds the files' checksums
  }
}
