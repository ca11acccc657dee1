package org.llamapro.train.trainer;

/**
 * Dynamic loss scaling for F16 compute: gradients are computed for {@code loss * scale} so small
 * values do not flush to zero, and divided by the scale before the optimizer. An overflow (inf or
 * NaN anywhere in the gradients) skips the step and halves the scale; {@code growthInterval} clean
 * steps in a row double it. With F32 compute the scale is fixed at 1 and only a non-finite gradient
 * skips a step.
 */
final class LossScaler {
  static final double MIN_SCALE = 1.0;
  static final double MAX_SCALE = 16_777_216.0; // 2^24

  private final boolean dynamic;
  private final int growthInterval;
  private double scale;
  private int cleanSteps;

  private LossScaler(boolean dynamic, double scale, int growthInterval) {
    this.dynamic = dynamic;
    this.scale = scale;
    this.growthInterval = growthInterval;
  }

  static LossScaler fixed() {
    return new LossScaler(false, 1.0, Integer.MAX_VALUE);
  }

  static LossScaler dynamic(double initialScale, int growthInterval) {
    if (!(initialScale >= MIN_SCALE && initialScale <= MAX_SCALE)) {
      throw new IllegalArgumentException(
          "Invalid initial loss scale: " + initialScale + " (must be in [1, 2^24])");
    }
    if (growthInterval <= 0) {
      throw new IllegalArgumentException(
          "Invalid loss-scale growth interval: " + growthInterval + " (must be > 0)");
    }
    return new LossScaler(true, initialScale, growthInterval);
  }

  boolean isDynamic() {
    return dynamic;
  }

  double scale() {
    return scale;
  }

  int cleanSteps() {
    return cleanSteps;
  }

  /** Restores the state a checkpoint recorded. */
  void restore(double savedScale, int savedCleanSteps) {
    if (dynamic) {
      this.scale = savedScale;
      this.cleanSteps = savedCleanSteps;
    }
  }

  /** Records a step's outcome: returns true when the step must be skipped. */
  boolean update(boolean overflow) {
    if (overflow) {
      cleanSteps = 0;
      if (dynamic) {
        scale = Math.max(MIN_SCALE, scale / 2);
      }
      return true;
    }
    if (dynamic && ++cleanSteps >= growthInterval) {
      scale = Math.min(MAX_SCALE, scale * 2);
      cleanSteps = 0;
    }
    return false;
  }
}
