package org.llamapro.train.trainer;

import java.nio.file.Path;

/**
 * A run stopped because training diverged: the loss or the gradient stayed non-finite for more than
 * {@code train.max-skipped-steps} steps in a row, or the weights themselves became non-finite. The
 * message names the step and the last good checkpoint (the newest one on disk; every checkpoint a
 * run writes has finite weights and ends a step with a finite loss).
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int step;
  private final transient Path lastGoodCheckpoint;

  TrainingDivergedException(int step, String why, Path lastGoodCheckpoint) {
    super(
        "Training diverged at step "
            + step
            + ": "
            + why
            + ". "
            + (lastGoodCheckpoint == null
                ? "No checkpoint was written before it; start a new run with a lower "
                    + OptimizerSettings.LR
                : "The last good checkpoint is "
                    + lastGoodCheckpoint
                    + "; resume from it with a larger "
                    + TrainConfig.MAX_SKIPPED_STEPS
                    + ", or start a new run with a lower "
                    + OptimizerSettings.LR));
    this.step = step;
    this.lastGoodCheckpoint = lastGoodCheckpoint;
  }

  private TrainingDivergedException(String message, int step, Path lastGoodCheckpoint) {
    super(message);
    this.step = step;
    this.lastGoodCheckpoint = lastGoodCheckpoint;
  }

  /** The same failure as reported by another JVM (a Spark executor), with its message. */
  public static TrainingDivergedException reported(
      String message, int step, Path lastGoodCheckpoint) {
    return new TrainingDivergedException(message, step, lastGoodCheckpoint);
  }

  /** The step at which the run stopped. */
  public int step() {
    return step;
  }

  /** The newest checkpoint on disk, or null when none was written. */
  public Path lastGoodCheckpoint() {
    return lastGoodCheckpoint;
  }
}
