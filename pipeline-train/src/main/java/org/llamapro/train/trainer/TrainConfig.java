package org.llamapro.train.trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;

/**
 * A training run's configuration (the shards may be a Hadoop URI such as {@code s3a://...}; the
 * model and run directories are local or shared-filesystem paths), resolved once from {@link
 * Settings} (keys {@code train.*}; see {@link #KEYS}). {@link #identity()} is the part a resumed
 * run must share with the run it continues: everything that changes which parameters come out.
 */
public record TrainConfig(
    Path model,
    String shards,
    Path output,
    long shardsVersion,
    int steps,
    int microBatchSize,
    int globalBatchSize,
    int seqLen,
    int workers,
    double lr,
    double minLr,
    double warmupRatio,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    double gradClip,
    long seed,
    String trainable,
    boolean documentMask,
    int checkpointEvery,
    int keepCheckpoints,
    int evalEvery,
    int evalRows,
    int logEvery,
    int stopAtStep,
    boolean resume,
    String device,
    String dtype,
    double initialLossScale,
    int lossScaleGrowthInterval,
    double peakTflops) {

  public static final String PREFIX = "train";
  public static final String MODEL = "train.model";
  public static final String SHARDS = "train.shards";
  public static final String OUTPUT = "train.output";
  public static final String SHARDS_VERSION = "train.shards.version";
  public static final String STEPS = "train.steps";
  public static final String MICRO_BATCH_SIZE = "train.micro-batch-size";
  public static final String GLOBAL_BATCH_SIZE = "train.global-batch-size";
  public static final String SEQ_LEN = "train.seq-len";
  public static final String WORKERS = "train.workers";
  public static final String LR = "train.lr";
  public static final String MIN_LR = "train.min-lr";
  public static final String WARMUP_RATIO = "train.warmup-ratio";
  public static final String WEIGHT_DECAY = "train.weight-decay";
  public static final String BETA1 = "train.adam.beta1";
  public static final String BETA2 = "train.adam.beta2";
  public static final String EPS = "train.adam.eps";
  public static final String GRAD_CLIP = "train.grad-clip";
  public static final String SEED = "train.seed";
  public static final String TRAINABLE = "train.trainable";
  public static final String DOCUMENT_MASK = "train.document-mask";
  public static final String CHECKPOINT_EVERY = "train.checkpoint-every";
  public static final String KEEP_CHECKPOINTS = "train.keep-checkpoints";
  public static final String EVAL_EVERY = "train.eval-every";
  public static final String EVAL_ROWS = "train.eval-rows";
  public static final String LOG_EVERY = "train.log-every";
  public static final String STOP_AT_STEP = "train.stop-at-step";
  public static final String RESUME = "train.resume";
  public static final String DEVICE = "train.device";
  public static final String DTYPE = "train.dtype";
  public static final String LOSS_SCALE_INITIAL = "train.loss-scale.initial";
  public static final String LOSS_SCALE_GROWTH_INTERVAL = "train.loss-scale.growth-interval";
  public static final String PEAK_TFLOPS = "train.peak-tflops";

  /** Every key this config reads, with its default ("" = required, no default). */
  public static final Map<String, String> KEYS = defaults();

  /** Keys that may differ between a run and its resumption (they change no parameter). */
  public static final Set<String> NOT_IDENTITY =
      Set.of(
          OUTPUT,
          CHECKPOINT_EVERY,
          KEEP_CHECKPOINTS,
          EVAL_EVERY,
          EVAL_ROWS,
          LOG_EVERY,
          STOP_AT_STEP,
          RESUME,
          DEVICE,
          PEAK_TFLOPS,
          SHARDS_VERSION); // compared separately: "latest" resolves to the recorded version

  private static Map<String, String> defaults() {
    Map<String, String> d = new TreeMap<>();
    d.put(MODEL, "");
    d.put(SHARDS, "");
    d.put(OUTPUT, "");
    d.put(SHARDS_VERSION, "latest");
    d.put(STEPS, "");
    d.put(MICRO_BATCH_SIZE, "4");
    d.put(GLOBAL_BATCH_SIZE, "1024");
    d.put(SEQ_LEN, "4096");
    d.put(WORKERS, "1");
    d.put(LR, Double.toString(OptimizerSettings.LR));
    d.put(MIN_LR, Double.toString(OptimizerSettings.MIN_LR));
    d.put(WARMUP_RATIO, Double.toString(OptimizerSettings.WARMUP_RATIO));
    d.put(WEIGHT_DECAY, Double.toString(OptimizerSettings.WEIGHT_DECAY));
    d.put(BETA1, Double.toString(OptimizerSettings.BETA1));
    d.put(BETA2, Double.toString(OptimizerSettings.BETA2));
    d.put(EPS, Double.toString(OptimizerSettings.EPS));
    d.put(GRAD_CLIP, Double.toString(OptimizerSettings.CLIP_NORM));
    d.put(SEED, "1234");
    d.put(TRAINABLE, TrainableSet.NEW);
    d.put(DOCUMENT_MASK, "false");
    d.put(CHECKPOINT_EVERY, "100");
    d.put(KEEP_CHECKPOINTS, "3");
    d.put(EVAL_EVERY, "100");
    d.put(EVAL_ROWS, "64");
    d.put(LOG_EVERY, "1");
    d.put(STOP_AT_STEP, "0");
    d.put(RESUME, "false");
    d.put(DEVICE, "auto");
    d.put(DTYPE, "auto");
    d.put(LOSS_SCALE_INITIAL, Double.toString(OptimizerSettings.INITIAL_LOSS_SCALE));
    d.put(
        LOSS_SCALE_GROWTH_INTERVAL, Integer.toString(OptimizerSettings.LOSS_SCALE_GROWTH_INTERVAL));
    d.put(PEAK_TFLOPS, "0");
    return java.util.Collections.unmodifiableMap(d);
  }

  /**
   * Resolves and validates the {@code train.*} keys of {@code settings}.
   *
   * @throws ConfigException for an unknown key, a missing required key or a bad value
   */
  public static TrainConfig from(Settings settings) {
    settings.requireKnown(List.of(PREFIX), KEYS.keySet());
    String version = settings.getString(SHARDS_VERSION, "latest");
    long shardsVersion;
    if (version.equals("latest")) {
      shardsVersion = -1;
    } else {
      shardsVersion = settings.getLong(SHARDS_VERSION, -1);
      if (shardsVersion < 0) {
        throw new ConfigException(
            "Invalid "
                + SHARDS_VERSION
                + ": '"
                + version
                + "' (expected latest or a version >= 0)");
      }
    }
    TrainConfig config =
        new TrainConfig(
            Path.of(settings.requireString(MODEL)),
            settings.requireString(SHARDS),
            Path.of(settings.requireString(OUTPUT)),
            shardsVersion,
            positive(settings, STEPS, settings.getInt(STEPS, 0)),
            positive(settings, MICRO_BATCH_SIZE, settings.getInt(MICRO_BATCH_SIZE, 4)),
            positive(settings, GLOBAL_BATCH_SIZE, settings.getInt(GLOBAL_BATCH_SIZE, 1024)),
            positive(settings, SEQ_LEN, settings.getInt(SEQ_LEN, 4096)),
            positive(settings, WORKERS, settings.getInt(WORKERS, 1)),
            settings.getDouble(LR, OptimizerSettings.LR),
            settings.getDouble(MIN_LR, OptimizerSettings.MIN_LR),
            settings.getDouble(WARMUP_RATIO, OptimizerSettings.WARMUP_RATIO),
            settings.getDouble(WEIGHT_DECAY, OptimizerSettings.WEIGHT_DECAY),
            settings.getDouble(BETA1, OptimizerSettings.BETA1),
            settings.getDouble(BETA2, OptimizerSettings.BETA2),
            settings.getDouble(EPS, OptimizerSettings.EPS),
            settings.getDouble(GRAD_CLIP, OptimizerSettings.CLIP_NORM),
            settings.getLong(SEED, 1234),
            settings.getString(TRAINABLE, TrainableSet.NEW),
            settings.getBoolean(DOCUMENT_MASK, false),
            positive(settings, CHECKPOINT_EVERY, settings.getInt(CHECKPOINT_EVERY, 100)),
            positive(settings, KEEP_CHECKPOINTS, settings.getInt(KEEP_CHECKPOINTS, 3)),
            nonNegative(settings, EVAL_EVERY, settings.getInt(EVAL_EVERY, 100)),
            nonNegative(settings, EVAL_ROWS, settings.getInt(EVAL_ROWS, 64)),
            positive(settings, LOG_EVERY, settings.getInt(LOG_EVERY, 1)),
            nonNegative(settings, STOP_AT_STEP, settings.getInt(STOP_AT_STEP, 0)),
            settings.getBoolean(RESUME, false),
            settings.getString(DEVICE, "auto"),
            settings.getString(DTYPE, "auto"),
            settings.getDouble(LOSS_SCALE_INITIAL, OptimizerSettings.INITIAL_LOSS_SCALE),
            positive(
                settings,
                LOSS_SCALE_GROWTH_INTERVAL,
                settings.getInt(
                    LOSS_SCALE_GROWTH_INTERVAL, OptimizerSettings.LOSS_SCALE_GROWTH_INTERVAL)),
            settings.getDouble(PEAK_TFLOPS, 0));
    config.optimizer(); // validates lr, min-lr, warmup, betas, eps, decay, clipping, loss scale
    int perStep = config.microBatchSize * config.workers;
    if (config.globalBatchSize % perStep != 0) {
      throw new ConfigException(
          "Invalid "
              + GLOBAL_BATCH_SIZE
              + ": "
              + config.globalBatchSize
              + " is not divisible by "
              + MICRO_BATCH_SIZE
              + " x "
              + WORKERS
              + " = "
              + config.microBatchSize
              + " x "
              + config.workers
              + " = "
              + perStep);
    }
    if (config.seqLen < 2) {
      throw new ConfigException("Invalid " + SEQ_LEN + ": " + config.seqLen + " (must be >= 2)");
    }
    return config;
  }

  private static int positive(Settings settings, String key, int value) {
    if (value <= 0) {
      throw new ConfigException(
          "Invalid "
              + key
              + ": "
              + (settings.has(key) ? settings.getString(key, "") : "(missing)")
              + " (must be > 0)");
    }
    return value;
  }

  private static int nonNegative(Settings settings, String key, int value) {
    if (value < 0) {
      throw new ConfigException("Invalid " + key + ": " + value + " (must be >= 0)");
    }
    return value;
  }

  /** Micro-batches per worker per optimizer step (gradient accumulation). */
  public int accumulationSteps() {
    return globalBatchSize / (microBatchSize * workers);
  }

  /** The optimizer recipe this config describes. */
  public OptimizerSettings optimizer() {
    try {
      return new OptimizerSettings(
          LearningRateSchedule.of(lr, minLr, warmupRatio, steps),
          beta1,
          beta2,
          eps,
          weightDecay,
          gradClip,
          initialLossScale,
          lossScaleGrowthInterval);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), e);
    }
  }

  /** Every key with its resolved value (what run.json records). */
  public Map<String, String> asMap() {
    Map<String, String> m = new TreeMap<>();
    m.put(MODEL, model.toString());
    m.put(SHARDS, shards);
    m.put(OUTPUT, output.toString());
    m.put(SHARDS_VERSION, shardsVersion < 0 ? "latest" : Long.toString(shardsVersion));
    m.put(STEPS, Integer.toString(steps));
    m.put(MICRO_BATCH_SIZE, Integer.toString(microBatchSize));
    m.put(GLOBAL_BATCH_SIZE, Integer.toString(globalBatchSize));
    m.put(SEQ_LEN, Integer.toString(seqLen));
    m.put(WORKERS, Integer.toString(workers));
    m.put(LR, Double.toString(lr));
    m.put(MIN_LR, Double.toString(minLr));
    m.put(WARMUP_RATIO, Double.toString(warmupRatio));
    m.put(WEIGHT_DECAY, Double.toString(weightDecay));
    m.put(BETA1, Double.toString(beta1));
    m.put(BETA2, Double.toString(beta2));
    m.put(EPS, Double.toString(eps));
    m.put(GRAD_CLIP, Double.toString(gradClip));
    m.put(SEED, Long.toString(seed));
    m.put(TRAINABLE, trainable);
    m.put(DOCUMENT_MASK, Boolean.toString(documentMask));
    m.put(CHECKPOINT_EVERY, Integer.toString(checkpointEvery));
    m.put(KEEP_CHECKPOINTS, Integer.toString(keepCheckpoints));
    m.put(EVAL_EVERY, Integer.toString(evalEvery));
    m.put(EVAL_ROWS, Integer.toString(evalRows));
    m.put(LOG_EVERY, Integer.toString(logEvery));
    m.put(STOP_AT_STEP, Integer.toString(stopAtStep));
    m.put(RESUME, Boolean.toString(resume));
    m.put(DEVICE, device);
    m.put(DTYPE, dtype);
    m.put(LOSS_SCALE_INITIAL, Double.toString(initialLossScale));
    m.put(LOSS_SCALE_GROWTH_INTERVAL, Integer.toString(lossScaleGrowthInterval));
    m.put(PEAK_TFLOPS, Double.toString(peakTflops));
    return m;
  }

  /** The keys and values that must match when resuming. */
  public Map<String, String> identity() {
    Map<String, String> m = new TreeMap<>(asMap());
    m.keySet().removeAll(NOT_IDENTITY);
    // Paths compare as given, normalised; a moved model directory is a different run.
    m.put(MODEL, model.toAbsolutePath().normalize().toString());
    // A URI (hdfs://, s3a://) compares as written; a local path absolute and normalised.
    m.put(
        SHARDS,
        shards.contains("://") ? shards : Path.of(shards).toAbsolutePath().normalize().toString());
    return m;
  }
}
