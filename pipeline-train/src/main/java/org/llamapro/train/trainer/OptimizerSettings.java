package org.llamapro.train.trainer;

/**
 * The optimizer recipe: AdamW, global-norm clipping, the learning-rate schedule and the F16 loss
 * scaling. {@link #paper(int)} is the LLaMA Pro recipe (REFERENCE.md section 2).
 */
public record OptimizerSettings(
    LearningRateSchedule schedule,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    double clipNorm,
    double initialLossScale,
    int lossScaleGrowthInterval) {
  public static final double LR = 2e-4;
  public static final double MIN_LR = 2e-5;
  public static final double WARMUP_RATIO = 0.06;
  public static final double BETA1 = 0.9;
  public static final double BETA2 = 0.95;
  public static final double EPS = 1e-8;
  public static final double WEIGHT_DECAY = 0.1;
  public static final double CLIP_NORM = 1.0;
  public static final double INITIAL_LOSS_SCALE = 65536;
  public static final int LOSS_SCALE_GROWTH_INTERVAL = 2000;

  public OptimizerSettings {
    if (!(clipNorm >= 0)) {
      throw new IllegalArgumentException(
          "Invalid gradient clipping norm: " + clipNorm + " (must be >= 0; 0 turns it off)");
    }
  }

  /** The paper's recipe for a run of {@code steps} optimizer steps. */
  public static OptimizerSettings paper(int steps) {
    return new OptimizerSettings(
        LearningRateSchedule.of(LR, MIN_LR, WARMUP_RATIO, steps),
        BETA1,
        BETA2,
        EPS,
        WEIGHT_DECAY,
        CLIP_NORM,
        INITIAL_LOSS_SCALE,
        LOSS_SCALE_GROWTH_INTERVAL);
  }

  public OptimizerSettings withSchedule(LearningRateSchedule newSchedule) {
    return new OptimizerSettings(
        newSchedule,
        beta1,
        beta2,
        eps,
        weightDecay,
        clipNorm,
        initialLossScale,
        lossScaleGrowthInterval);
  }
}
