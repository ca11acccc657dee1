package org.llamapro.train.trainer;

/**
 * Linear warmup then cosine decay to a floor, as a pure function of the optimizer step (so a
 * resumed run needs nothing but the step). Step {@code s} (1-based) of {@code total}:
 *
 * <pre>
 *   s <= W:  lr = peak * s / W
 *   s >  W:  lr = floor + (peak - floor) * (1 + cos(pi * (s - W) / (total - W))) / 2
 * </pre>
 *
 * with W = round(warmupRatio * total). The last step reaches the floor.
 */
public record LearningRateSchedule(double peak, double floor, int warmupSteps, int totalSteps) {
  public LearningRateSchedule {
    if (!(peak > 0)) {
      throw new IllegalArgumentException("Invalid learning rate: " + peak + " (must be > 0)");
    }
    if (!(floor >= 0) || floor > peak) {
      throw new IllegalArgumentException(
          "Invalid minimum learning rate: " + floor + " (must be in [0, " + peak + "])");
    }
    if (totalSteps <= 0) {
      throw new IllegalArgumentException("Invalid steps: " + totalSteps + " (must be > 0)");
    }
    if (warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException(
          "Invalid warmup steps: " + warmupSteps + " (must be in [0, " + totalSteps + "])");
    }
  }

  public static LearningRateSchedule of(
      double peak, double floor, double warmupRatio, int totalSteps) {
    if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
      throw new IllegalArgumentException(
          "Invalid warmup ratio: " + warmupRatio + " (must be in [0, 1])");
    }
    return new LearningRateSchedule(
        peak, floor, (int) Math.round(warmupRatio * totalSteps), totalSteps);
  }

  /** The learning rate of optimizer step {@code step} (1-based). */
  public double at(int step) {
    if (step <= warmupSteps) {
      return peak * step / warmupSteps;
    }
    if (totalSteps == warmupSteps) {
      return peak;
    }
    double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
    return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}
