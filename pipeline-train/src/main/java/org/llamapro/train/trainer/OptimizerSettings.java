package org.llamapro.train.trainer;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;

/**
 * The optimizer recipe: AdamW, global-norm clipping, the learning-rate schedule over {@code
 * train.steps} and the F16 loss scaling. The defaults are the LLaMA Pro recipe ({@link
 * #paper(int)}): peak 2e-4 with 6% linear warmup and cosine decay to 2e-5, AdamW (0.9, 0.95, 1e-8)
 * with weight decay 0.1, gradient norm clipped at 1.
 */
public final class OptimizerSettings {
  public static final ConfigKey<Double> LR =
      ConfigKey.ofDouble("train.lr", 2e-4, "Peak learning rate, reached at the end of warmup.");
  public static final ConfigKey<Double> MIN_LR =
      ConfigKey.ofDouble("train.min-lr", 2e-5, "Floor the cosine decay ends at.");
  public static final ConfigKey<Double> WARMUP_RATIO =
      ConfigKey.ofDouble("train.warmup-ratio", 0.06, "Share of the steps in linear warmup.");
  public static final ConfigKey<Double> WEIGHT_DECAY =
      ConfigKey.ofDouble("train.weight-decay", 0.1, "AdamW weight decay on weight matrices.");
  public static final ConfigKey<Double> BETA1 =
      ConfigKey.ofDouble("train.adam.beta1", 0.9, "AdamW decay of the first moment.");
  public static final ConfigKey<Double> BETA2 =
      ConfigKey.ofDouble("train.adam.beta2", 0.95, "AdamW decay of the second moment.");
  public static final ConfigKey<Double> EPS =
      ConfigKey.ofDouble("train.adam.eps", 1e-8, "AdamW term added to the denominator.");
  public static final ConfigKey<Double> GRAD_CLIP =
      ConfigKey.ofDouble(
          "train.grad-clip", 1.0, "Largest global gradient norm before an update; 0 = off.");
  public static final ConfigKey<Double> LOSS_SCALE_INITIAL =
      ConfigKey.ofDouble(
          "train.loss-scale.initial", 65536.0, "First loss scale of F16 training, in [1, 2^24].");
  public static final ConfigKey<Integer> LOSS_SCALE_GROWTH_INTERVAL =
      ConfigKey.ofInt(
          "train.loss-scale.growth-interval",
          2000,
          "Clean F16 steps in a row after which the loss scale doubles.");

  public static final ConfigKeys KEYS =
      ConfigKeys.of(
          "Training: optimizer",
          List.of("train"),
          LR,
          MIN_LR,
          WARMUP_RATIO,
          WEIGHT_DECAY,
          BETA1,
          BETA2,
          EPS,
          GRAD_CLIP,
          LOSS_SCALE_INITIAL,
          LOSS_SCALE_GROWTH_INTERVAL);

  private final double lr;
  private final double minLr;
  private final double warmupRatio;
  private final LearningRateSchedule schedule;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final double clipNorm;
  private final double initialLossScale;
  private final int lossScaleGrowthInterval;

  private OptimizerSettings(Builder b, LearningRateSchedule schedule) {
    this.lr = b.lr;
    this.minLr = b.minLr;
    this.warmupRatio = b.warmupRatio;
    this.schedule = schedule;
    this.beta1 = b.beta1;
    this.beta2 = b.beta2;
    this.eps = b.eps;
    this.weightDecay = b.weightDecay;
    this.clipNorm = b.clipNorm;
    this.initialLossScale = b.initialLossScale;
    this.lossScaleGrowthInterval = b.lossScaleGrowthInterval;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The optimizer keys of {@code settings}; the schedule spans {@link TrainConfig#STEPS}. Does not
   * check for unknown keys: {@link TrainConfig#from} does for the whole {@code train.*} group.
   */
  public static OptimizerSettings from(Settings settings) {
    return builder()
        .setSteps(TrainConfig.STEPS.get(settings))
        .optLr(LR.get(settings))
        .optMinLr(MIN_LR.get(settings))
        .optWarmupRatio(WARMUP_RATIO.get(settings))
        .optWeightDecay(WEIGHT_DECAY.get(settings))
        .optBeta1(BETA1.get(settings))
        .optBeta2(BETA2.get(settings))
        .optEps(EPS.get(settings))
        .optClipNorm(GRAD_CLIP.get(settings))
        .optInitialLossScale(LOSS_SCALE_INITIAL.get(settings))
        .optLossScaleGrowthInterval(LOSS_SCALE_GROWTH_INTERVAL.get(settings))
        .build();
  }

  /** The paper's recipe for a run of {@code steps} optimizer steps. */
  public static OptimizerSettings paper(int steps) {
    return builder().setSteps(steps).build();
  }

  /** The same recipe on another schedule (benchmarks and tests pick their own). */
  public OptimizerSettings withSchedule(LearningRateSchedule newSchedule) {
    Builder b = toBuilder();
    return new OptimizerSettings(b, newSchedule);
  }

  public Builder toBuilder() {
    return builder()
        .setSteps(schedule.totalSteps())
        .optLr(lr)
        .optMinLr(minLr)
        .optWarmupRatio(warmupRatio)
        .optWeightDecay(weightDecay)
        .optBeta1(beta1)
        .optBeta2(beta2)
        .optEps(eps)
        .optClipNorm(clipNorm)
        .optInitialLossScale(initialLossScale)
        .optLossScaleGrowthInterval(lossScaleGrowthInterval);
  }

  public LearningRateSchedule schedule() {
    return schedule;
  }

  public double beta1() {
    return beta1;
  }

  public double beta2() {
    return beta2;
  }

  public double eps() {
    return eps;
  }

  public double weightDecay() {
    return weightDecay;
  }

  public double clipNorm() {
    return clipNorm;
  }

  public double initialLossScale() {
    return initialLossScale;
  }

  public int lossScaleGrowthInterval() {
    return lossScaleGrowthInterval;
  }

  /** Every optimizer key with its value, as run.json records it. */
  public Map<String, String> asMap() {
    Map<String, String> m = new TreeMap<>();
    m.put(LR.name(), Double.toString(lr));
    m.put(MIN_LR.name(), Double.toString(minLr));
    m.put(WARMUP_RATIO.name(), Double.toString(warmupRatio));
    m.put(WEIGHT_DECAY.name(), Double.toString(weightDecay));
    m.put(BETA1.name(), Double.toString(beta1));
    m.put(BETA2.name(), Double.toString(beta2));
    m.put(EPS.name(), Double.toString(eps));
    m.put(GRAD_CLIP.name(), Double.toString(clipNorm));
    m.put(LOSS_SCALE_INITIAL.name(), Double.toString(initialLossScale));
    m.put(LOSS_SCALE_GROWTH_INTERVAL.name(), Integer.toString(lossScaleGrowthInterval));
    return m;
  }

  /** Collects the recipe; {@link #build()} validates it, naming the key and the bad value. */
  public static final class Builder {
    private Integer steps;
    private double lr = LR.defaultValue();
    private double minLr = MIN_LR.defaultValue();
    private double warmupRatio = WARMUP_RATIO.defaultValue();
    private double weightDecay = WEIGHT_DECAY.defaultValue();
    private double beta1 = BETA1.defaultValue();
    private double beta2 = BETA2.defaultValue();
    private double eps = EPS.defaultValue();
    private double clipNorm = GRAD_CLIP.defaultValue();
    private double initialLossScale = LOSS_SCALE_INITIAL.defaultValue();
    private int lossScaleGrowthInterval = LOSS_SCALE_GROWTH_INTERVAL.defaultValue();

    private Builder() {}

    /** Optimizer steps of the run: the length of the schedule. */
    public Builder setSteps(int value) {
      this.steps = value;
      return this;
    }

    public Builder optLr(double value) {
      this.lr = value;
      return this;
    }

    public Builder optMinLr(double value) {
      this.minLr = value;
      return this;
    }

    public Builder optWarmupRatio(double value) {
      this.warmupRatio = value;
      return this;
    }

    public Builder optWeightDecay(double value) {
      this.weightDecay = value;
      return this;
    }

    public Builder optBeta1(double value) {
      this.beta1 = value;
      return this;
    }

    public Builder optBeta2(double value) {
      this.beta2 = value;
      return this;
    }

    public Builder optEps(double value) {
      this.eps = value;
      return this;
    }

    public Builder optClipNorm(double value) {
      this.clipNorm = value;
      return this;
    }

    public Builder optInitialLossScale(double value) {
      this.initialLossScale = value;
      return this;
    }

    public Builder optLossScaleGrowthInterval(int value) {
      this.lossScaleGrowthInterval = value;
      return this;
    }

    /**
     * @throws ConfigException naming the key, the bad value and what is expected
     */
    public OptimizerSettings build() {
      if (steps == null || steps <= 0) {
        throw invalid(TrainConfig.STEPS, steps == null ? "(missing)" : steps, "must be > 0");
      }
      if (!(lr > 0)) {
        throw invalid(LR, lr, "must be > 0");
      }
      if (!(minLr >= 0 && minLr <= lr)) {
        throw invalid(MIN_LR, minLr, "must be in [0, " + LR + " = " + lr + "]");
      }
      if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
        throw invalid(WARMUP_RATIO, warmupRatio, "must be in [0, 1]");
      }
      if (!(weightDecay >= 0)) {
        throw invalid(WEIGHT_DECAY, weightDecay, "must be >= 0");
      }
      if (!(beta1 >= 0 && beta1 < 1)) {
        throw invalid(BETA1, beta1, "must be in [0, 1)");
      }
      if (!(beta2 >= 0 && beta2 < 1)) {
        throw invalid(BETA2, beta2, "must be in [0, 1)");
      }
      if (!(eps > 0)) {
        throw invalid(EPS, eps, "must be > 0");
      }
      if (!(clipNorm >= 0)) {
        throw invalid(GRAD_CLIP, clipNorm, "must be >= 0; 0 turns clipping off");
      }
      if (!(initialLossScale >= LossScaler.MIN_SCALE && initialLossScale <= LossScaler.MAX_SCALE)) {
        throw invalid(LOSS_SCALE_INITIAL, initialLossScale, "must be in [1, 2^24]");
      }
      if (lossScaleGrowthInterval <= 0) {
        throw invalid(LOSS_SCALE_GROWTH_INTERVAL, lossScaleGrowthInterval, "must be > 0");
      }
      return new OptimizerSettings(this, LearningRateSchedule.of(lr, minLr, warmupRatio, steps));
    }
  }

  static ConfigException invalid(ConfigKey<?> key, Object value, String expected) {
    return new ConfigException("Invalid " + key + ": " + value + " (" + expected + ")");
  }
}
