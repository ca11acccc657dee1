package org.llamapro.train.trainer;

import static org.llamapro.train.trainer.OptimizerSettings.invalid;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;
import org.llamapro.io.LocalPaths;

/**
 * A training run's configuration (the shards may be a Hadoop URI such as {@code s3a://...}; the
 * model and run directories are local or shared-filesystem paths), resolved once from {@link
 * Settings} (keys {@code train.*}: {@link #KEYS} and the optimizer's {@link
 * OptimizerSettings#KEYS}). {@link #identity()} is the part a resumed run must share with the run
 * it continues: everything that changes which parameters come out.
 */
public final class TrainConfig {
  public static final String PREFIX = "train";
  public static final ConfigKey<String> MODEL =
      ConfigKey.ofString("train.model", "", "Expanded model directory to train (required).");
  public static final ConfigKey<String> SHARDS =
      ConfigKey.ofString(
          "train.shards", "", "Packed shards: a path or a Hadoop URI such as s3a:// (required).");
  public static final ConfigKey<String> OUTPUT =
      ConfigKey.ofString("train.output", "", "Run directory (required).");
  public static final ConfigKey<String> SHARDS_VERSION =
      ConfigKey.ofString(
          "train.shards.version", "latest", "Shard table version to train on, or latest.");
  public static final ConfigKey<Integer> STEPS =
      ConfigKey.ofInt("train.steps", 0, "Total optimizer steps (required; fixes the schedule).");
  public static final ConfigKey<Integer> MICRO_BATCH_SIZE =
      ConfigKey.ofInt("train.micro-batch-size", 4, "Rows per forward and backward pass.");
  public static final ConfigKey<Integer> GLOBAL_BATCH_SIZE =
      ConfigKey.ofInt("train.global-batch-size", 1024, "Rows per optimizer step, all workers.");
  public static final ConfigKey<Integer> SEQ_LEN =
      ConfigKey.ofInt("train.seq-len", 4096, "Tokens per row; must match the shards.");
  public static final ConfigKey<Integer> WORKERS =
      ConfigKey.ofInt("train.workers", 1, "Data-parallel workers (ranks).");
  public static final ConfigKey<Long> SEED =
      ConfigKey.ofLong("train.seed", 1234, "Seed of the data order.");
  public static final ConfigKey<String> TRAINABLE =
      ConfigKey.ofString(
          "train.trainable",
          TrainableSet.NEW,
          "What learns: new (the expanded blocks), all, blocks, or block indices like 4,9.");
  public static final ConfigKey<Boolean> DOCUMENT_MASK =
      ConfigKey.ofBoolean(
          "train.document-mask", false, "Keep attention inside each packed document.");
  public static final ConfigKey<Integer> CHECKPOINT_EVERY =
      ConfigKey.ofInt("train.checkpoint-every", 100, "Steps between checkpoints.");
  public static final ConfigKey<Integer> KEEP_CHECKPOINTS =
      ConfigKey.ofInt("train.keep-checkpoints", 3, "Newest checkpoints kept on disk.");
  public static final ConfigKey<Integer> EVAL_EVERY =
      ConfigKey.ofInt("train.eval-every", 100, "Steps between validations; 0 = only at the end.");
  public static final ConfigKey<Integer> EVAL_ROWS =
      ConfigKey.ofInt("train.eval-rows", 64, "Held-out rows in each validation; 0 = none.");
  public static final ConfigKey<Integer> LOG_EVERY =
      ConfigKey.ofInt("train.log-every", 1, "Steps between progress log lines.");
  public static final ConfigKey<Integer> STOP_AT_STEP =
      ConfigKey.ofInt(
          "train.stop-at-step", 0, "End cleanly after this step's checkpoint; 0 = run to the end.");
  public static final ConfigKey<Boolean> RESUME =
      ConfigKey.ofBoolean("train.resume", false, "Continue from the latest complete checkpoint.");
  public static final ConfigKey<String> DEVICE =
      ConfigKey.ofString("train.device", "auto", "cpu, gpu, gpu:N or auto.");
  public static final ConfigKey<String> DTYPE =
      ConfigKey.ofString("train.dtype", "auto", "f32, f16 or auto (f32 on CPU, f16 on GPU).");
  public static final ConfigKey<Integer> MAX_SKIPPED_STEPS =
      ConfigKey.ofInt(
          "train.max-skipped-steps",
          8,
          "Steps in a row skipped for a non-finite loss or gradient before the run stops.");
  public static final ConfigKey<Double> PEAK_TFLOPS =
      ConfigKey.ofDouble(
          "train.peak-tflops", 0.0, "Peak TFLOPS per worker for the MFU figure; 0 = assumed.");

  /** The keys of a training run; the optimizer's are in {@link OptimizerSettings#KEYS}. */
  public static final ConfigKeys KEYS =
      ConfigKeys.of(
          "Training",
          List.of(PREFIX),
          MODEL,
          SHARDS,
          OUTPUT,
          SHARDS_VERSION,
          STEPS,
          MICRO_BATCH_SIZE,
          GLOBAL_BATCH_SIZE,
          SEQ_LEN,
          WORKERS,
          SEED,
          TRAINABLE,
          DOCUMENT_MASK,
          CHECKPOINT_EVERY,
          KEEP_CHECKPOINTS,
          EVAL_EVERY,
          EVAL_ROWS,
          LOG_EVERY,
          STOP_AT_STEP,
          RESUME,
          DEVICE,
          DTYPE,
          MAX_SKIPPED_STEPS,
          PEAK_TFLOPS);

  /** Keys that may differ between a run and its resumption (they change no parameter). */
  public static final Set<String> NOT_IDENTITY =
      Set.of(
          OUTPUT.name(),
          CHECKPOINT_EVERY.name(),
          KEEP_CHECKPOINTS.name(),
          EVAL_EVERY.name(),
          EVAL_ROWS.name(),
          LOG_EVERY.name(),
          STOP_AT_STEP.name(),
          RESUME.name(),
          DEVICE.name(),
          PEAK_TFLOPS.name(),
          MAX_SKIPPED_STEPS.name(),
          // compared separately: "latest" resolves to the recorded version
          SHARDS_VERSION.name());

  private final Path model;
  private final String shards;
  private final Path output;
  private final long shardsVersion;
  private final int steps;
  private final int microBatchSize;
  private final int globalBatchSize;
  private final int seqLen;
  private final int workers;
  private final OptimizerSettings optimizer;
  private final long seed;
  private final String trainable;
  private final boolean documentMask;
  private final int checkpointEvery;
  private final int keepCheckpoints;
  private final int evalEvery;
  private final int evalRows;
  private final int logEvery;
  private final int stopAtStep;
  private final boolean resume;
  private final String device;
  private final String dtype;
  private final double peakTflops;
  private final int maxSkippedSteps;

  private TrainConfig(Builder b, OptimizerSettings optimizer) {
    this.model = b.model;
    this.shards = b.shards;
    this.output = b.output;
    this.shardsVersion = b.shardsVersion;
    this.steps = b.steps;
    this.microBatchSize = b.microBatchSize;
    this.globalBatchSize = b.globalBatchSize;
    this.seqLen = b.seqLen;
    this.workers = b.workers;
    this.optimizer = optimizer;
    this.seed = b.seed;
    this.trainable = b.trainable;
    this.documentMask = b.documentMask;
    this.checkpointEvery = b.checkpointEvery;
    this.keepCheckpoints = b.keepCheckpoints;
    this.evalEvery = b.evalEvery;
    this.evalRows = b.evalRows;
    this.logEvery = b.logEvery;
    this.stopAtStep = b.stopAtStep;
    this.resume = b.resume;
    this.device = b.device;
    this.dtype = b.dtype;
    this.peakTflops = b.peakTflops;
    this.maxSkippedSteps = b.maxSkippedSteps;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Resolves and validates the {@code train.*} keys of {@code settings}.
   *
   * @throws ConfigException for an unknown key, a missing required key or a bad value
   */
  public static TrainConfig from(Settings settings) {
    KEYS.and(OptimizerSettings.KEYS).requireKnown(settings);
    Builder b = builder();
    if (!MODEL.get(settings).isEmpty()) {
      b.setModel(LocalPaths.of(MODEL.name(), MODEL.get(settings)));
    }
    if (!SHARDS.get(settings).isEmpty()) {
      b.setShards(SHARDS.get(settings));
    }
    if (!OUTPUT.get(settings).isEmpty()) {
      b.setOutput(LocalPaths.of(OUTPUT.name(), OUTPUT.get(settings)));
    }
    String version = SHARDS_VERSION.get(settings);
    if (!version.equals("latest")) {
      try {
        b.optShardsVersion(Long.parseLong(version.trim()));
      } catch (NumberFormatException e) {
        throw invalid(SHARDS_VERSION, "'" + version + "'", "expected latest or a version >= 0");
      }
    }
    if (settings.has(STEPS.name())) {
      b.setSteps(STEPS.get(settings));
    }
    b.optMicroBatchSize(MICRO_BATCH_SIZE.get(settings))
        .optGlobalBatchSize(GLOBAL_BATCH_SIZE.get(settings))
        .optSeqLen(SEQ_LEN.get(settings))
        .optWorkers(WORKERS.get(settings))
        .optSeed(SEED.get(settings))
        .optTrainable(TRAINABLE.get(settings))
        .optDocumentMask(DOCUMENT_MASK.get(settings))
        .optCheckpointEvery(CHECKPOINT_EVERY.get(settings))
        .optKeepCheckpoints(KEEP_CHECKPOINTS.get(settings))
        .optEvalEvery(EVAL_EVERY.get(settings))
        .optEvalRows(EVAL_ROWS.get(settings))
        .optLogEvery(LOG_EVERY.get(settings))
        .optStopAtStep(STOP_AT_STEP.get(settings))
        .optResume(RESUME.get(settings))
        .optDevice(DEVICE.get(settings))
        .optDtype(DTYPE.get(settings))
        .optPeakTflops(PEAK_TFLOPS.get(settings))
        .optMaxSkippedSteps(MAX_SKIPPED_STEPS.get(settings));
    if (b.steps != null && b.steps > 0) {
      b.optOptimizer(OptimizerSettings.from(settings));
    }
    return b.build();
  }

  public Path model() {
    return model;
  }

  public String shards() {
    return shards;
  }

  public Path output() {
    return output;
  }

  /** The pinned shard table version, or -1 for the latest. */
  public long shardsVersion() {
    return shardsVersion;
  }

  public int steps() {
    return steps;
  }

  public int microBatchSize() {
    return microBatchSize;
  }

  public int globalBatchSize() {
    return globalBatchSize;
  }

  public int seqLen() {
    return seqLen;
  }

  public int workers() {
    return workers;
  }

  /** The optimizer recipe this config describes. */
  public OptimizerSettings optimizer() {
    return optimizer;
  }

  public long seed() {
    return seed;
  }

  public String trainable() {
    return trainable;
  }

  public boolean documentMask() {
    return documentMask;
  }

  public int checkpointEvery() {
    return checkpointEvery;
  }

  public int keepCheckpoints() {
    return keepCheckpoints;
  }

  public int evalEvery() {
    return evalEvery;
  }

  public int evalRows() {
    return evalRows;
  }

  public int logEvery() {
    return logEvery;
  }

  public int stopAtStep() {
    return stopAtStep;
  }

  public boolean resume() {
    return resume;
  }

  public String device() {
    return device;
  }

  public String dtype() {
    return dtype;
  }

  public double peakTflops() {
    return peakTflops;
  }

  /** Consecutive steps a run may skip for a non-finite loss or gradient before it stops. */
  public int maxSkippedSteps() {
    return maxSkippedSteps;
  }

  /** Micro-batches per worker per optimizer step (gradient accumulation). */
  public int accumulationSteps() {
    return globalBatchSize / (microBatchSize * workers);
  }

  /** Every key with its resolved value (what run.json records). */
  public Map<String, String> asMap() {
    Map<String, String> m = new TreeMap<>(optimizer.asMap());
    m.put(MODEL.name(), model.toString());
    m.put(SHARDS.name(), shards);
    m.put(OUTPUT.name(), output.toString());
    m.put(SHARDS_VERSION.name(), shardsVersion < 0 ? "latest" : Long.toString(shardsVersion));
    m.put(STEPS.name(), Integer.toString(steps));
    m.put(MICRO_BATCH_SIZE.name(), Integer.toString(microBatchSize));
    m.put(GLOBAL_BATCH_SIZE.name(), Integer.toString(globalBatchSize));
    m.put(SEQ_LEN.name(), Integer.toString(seqLen));
    m.put(WORKERS.name(), Integer.toString(workers));
    m.put(SEED.name(), Long.toString(seed));
    m.put(TRAINABLE.name(), trainable);
    m.put(DOCUMENT_MASK.name(), Boolean.toString(documentMask));
    m.put(CHECKPOINT_EVERY.name(), Integer.toString(checkpointEvery));
    m.put(KEEP_CHECKPOINTS.name(), Integer.toString(keepCheckpoints));
    m.put(EVAL_EVERY.name(), Integer.toString(evalEvery));
    m.put(EVAL_ROWS.name(), Integer.toString(evalRows));
    m.put(LOG_EVERY.name(), Integer.toString(logEvery));
    m.put(STOP_AT_STEP.name(), Integer.toString(stopAtStep));
    m.put(RESUME.name(), Boolean.toString(resume));
    m.put(DEVICE.name(), device);
    m.put(DTYPE.name(), dtype);
    m.put(PEAK_TFLOPS.name(), Double.toString(peakTflops));
    m.put(MAX_SKIPPED_STEPS.name(), Integer.toString(maxSkippedSteps));
    return m;
  }

  /** The keys and values that must match when resuming. */
  public Map<String, String> identity() {
    Map<String, String> m = new TreeMap<>(asMap());
    m.keySet().removeAll(NOT_IDENTITY);
    // Paths compare as given, normalised; a moved model directory is a different run.
    m.put(MODEL.name(), model.toAbsolutePath().normalize().toString());
    // A URI (hdfs://, s3a://) compares as written; a local path absolute and normalised.
    m.put(
        SHARDS.name(),
        shards.contains("://") ? shards : Path.of(shards).toAbsolutePath().normalize().toString());
    return m;
  }

  /** Collects a config; {@link #build()} validates it, naming the key and the bad value. */
  public static final class Builder {
    private Path model;
    private String shards;
    private Path output;
    private long shardsVersion = -1;
    private Integer steps;
    private int microBatchSize = MICRO_BATCH_SIZE.defaultValue();
    private int globalBatchSize = GLOBAL_BATCH_SIZE.defaultValue();
    private int seqLen = SEQ_LEN.defaultValue();
    private int workers = WORKERS.defaultValue();
    private OptimizerSettings optimizer;
    private long seed = SEED.defaultValue();
    private String trainable = TRAINABLE.defaultValue();
    private boolean documentMask = DOCUMENT_MASK.defaultValue();
    private int checkpointEvery = CHECKPOINT_EVERY.defaultValue();
    private int keepCheckpoints = KEEP_CHECKPOINTS.defaultValue();
    private int evalEvery = EVAL_EVERY.defaultValue();
    private int evalRows = EVAL_ROWS.defaultValue();
    private int logEvery = LOG_EVERY.defaultValue();
    private int stopAtStep = STOP_AT_STEP.defaultValue();
    private boolean resume = RESUME.defaultValue();
    private String device = DEVICE.defaultValue();
    private String dtype = DTYPE.defaultValue();
    private double peakTflops = PEAK_TFLOPS.defaultValue();
    private int maxSkippedSteps = MAX_SKIPPED_STEPS.defaultValue();

    private Builder() {}

    public Builder setModel(Path value) {
      this.model = value;
      return this;
    }

    public Builder setShards(String value) {
      this.shards = value;
      return this;
    }

    public Builder setOutput(Path value) {
      this.output = value;
      return this;
    }

    public Builder setSteps(int value) {
      this.steps = value;
      return this;
    }

    /** A table version ({@code >= 0}); the latest when not set. */
    public Builder optShardsVersion(long value) {
      this.shardsVersion = value;
      return this;
    }

    public Builder optMicroBatchSize(int value) {
      this.microBatchSize = value;
      return this;
    }

    public Builder optGlobalBatchSize(int value) {
      this.globalBatchSize = value;
      return this;
    }

    public Builder optSeqLen(int value) {
      this.seqLen = value;
      return this;
    }

    public Builder optWorkers(int value) {
      this.workers = value;
      return this;
    }

    /** The optimizer recipe; the paper's over {@code steps} when not set. */
    public Builder optOptimizer(OptimizerSettings value) {
      this.optimizer = value;
      return this;
    }

    public Builder optSeed(long value) {
      this.seed = value;
      return this;
    }

    public Builder optTrainable(String value) {
      this.trainable = value;
      return this;
    }

    public Builder optDocumentMask(boolean value) {
      this.documentMask = value;
      return this;
    }

    public Builder optCheckpointEvery(int value) {
      this.checkpointEvery = value;
      return this;
    }

    public Builder optKeepCheckpoints(int value) {
      this.keepCheckpoints = value;
      return this;
    }

    public Builder optEvalEvery(int value) {
      this.evalEvery = value;
      return this;
    }

    public Builder optEvalRows(int value) {
      this.evalRows = value;
      return this;
    }

    public Builder optLogEvery(int value) {
      this.logEvery = value;
      return this;
    }

    public Builder optStopAtStep(int value) {
      this.stopAtStep = value;
      return this;
    }

    public Builder optResume(boolean value) {
      this.resume = value;
      return this;
    }

    public Builder optDevice(String value) {
      this.device = value;
      return this;
    }

    public Builder optDtype(String value) {
      this.dtype = value;
      return this;
    }

    public Builder optPeakTflops(double value) {
      this.peakTflops = value;
      return this;
    }

    public Builder optMaxSkippedSteps(int value) {
      this.maxSkippedSteps = value;
      return this;
    }

    /**
     * @throws ConfigException naming the key, the bad value and what is expected
     */
    public TrainConfig build() {
      if (model == null) {
        throw new ConfigException("Missing required configuration: " + MODEL);
      }
      if (shards == null || shards.isEmpty()) {
        throw new ConfigException("Missing required configuration: " + SHARDS);
      }
      if (output == null) {
        throw new ConfigException("Missing required configuration: " + OUTPUT);
      }
      if (shardsVersion < -1) {
        throw invalid(SHARDS_VERSION, shardsVersion, "expected latest or a version >= 0");
      }
      if (steps == null || steps <= 0) {
        throw invalid(STEPS, steps == null ? "(missing)" : steps, "must be > 0");
      }
      positive(MICRO_BATCH_SIZE, microBatchSize);
      positive(GLOBAL_BATCH_SIZE, globalBatchSize);
      positive(SEQ_LEN, seqLen);
      positive(WORKERS, workers);
      positive(CHECKPOINT_EVERY, checkpointEvery);
      positive(KEEP_CHECKPOINTS, keepCheckpoints);
      nonNegative(EVAL_EVERY, evalEvery);
      nonNegative(EVAL_ROWS, evalRows);
      positive(LOG_EVERY, logEvery);
      nonNegative(STOP_AT_STEP, stopAtStep);
      nonNegative(MAX_SKIPPED_STEPS, maxSkippedSteps);
      int perStep = microBatchSize * workers;
      if (globalBatchSize % perStep != 0) {
        throw new ConfigException(
            "Invalid "
                + GLOBAL_BATCH_SIZE
                + ": "
                + globalBatchSize
                + " is not divisible by "
                + MICRO_BATCH_SIZE
                + " x "
                + WORKERS
                + " = "
                + microBatchSize
                + " x "
                + workers
                + " = "
                + perStep);
      }
      if (seqLen < 2) {
        throw invalid(SEQ_LEN, seqLen, "must be >= 2");
      }
      OptimizerSettings recipe = optimizer != null ? optimizer : OptimizerSettings.paper(steps);
      if (recipe.schedule().totalSteps() != steps) {
        throw new ConfigException(
            "The optimizer's schedule spans "
                + recipe.schedule().totalSteps()
                + " steps but "
                + STEPS
                + " is "
                + steps);
      }
      return new TrainConfig(this, recipe);
    }

    private static void positive(ConfigKey<Integer> key, int value) {
      if (value <= 0) {
        throw invalid(key, value, "must be > 0");
      }
    }

    private static void nonNegative(ConfigKey<Integer> key, int value) {
      if (value < 0) {
        throw invalid(key, value, "must be >= 0");
      }
    }
  }
}
