package org.llamapro.cli.demo;

import java.util.List;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;

/**
 * The demo's own settings ({@code demo.*} in {@code conf/demo/demo.properties}); the stages' own
 * settings live in the other files of {@code conf/demo/}, as a user would pass them to each
 * command.
 */
public final class DemoOptions {
  public static final ConfigKey<String> CORPUS =
      ConfigKey.ofString(
          "demo.corpus",
          "demo/corpus",
          "The bundled corpus; a relative path is resolved against the repository.");
  public static final ConfigKey<Integer> LAYERS =
      ConfigKey.ofInt("demo.model.layers", 4, "Blocks of the tiny base model.");
  public static final ConfigKey<Integer> HIDDEN_SIZE =
      ConfigKey.ofInt("demo.model.hidden-size", 64, "Hidden size of the tiny base model.");
  public static final ConfigKey<Integer> INTERMEDIATE_SIZE =
      ConfigKey.ofInt(
          "demo.model.intermediate-size", 172, "Feed-forward size of the tiny base model.");
  public static final ConfigKey<Integer> HEADS =
      ConfigKey.ofInt("demo.model.heads", 4, "Attention heads; must divide the hidden size.");
  public static final ConfigKey<Integer> EXPANDED_LAYERS =
      ConfigKey.ofInt(
          "demo.expand.layers", 5, "Blocks after expansion; more than demo.model.layers.");
  public static final ConfigKey<Integer> SEQ_LEN =
      ConfigKey.ofInt("demo.seq-len", 128, "Tokens per packed row and per training row.");
  public static final ConfigKey<Integer> PRETRAIN_STEPS =
      ConfigKey.ofInt(
          "demo.pretrain.steps", 120, "Optimizer steps of the base model's pretraining.");
  public static final ConfigKey<Integer> DOMAIN_STEPS =
      ConfigKey.ofInt(
          "demo.domain.steps",
          50,
          "Optimizer steps on code and math, for LLaMA Pro and for the full fine-tune each.");
  public static final ConfigKey<Long> EVAL_ROWS =
      ConfigKey.ofLong("demo.eval.rows", 64, "Validation rows per table in the final evaluation.");
  public static final ConfigKey<Long> SEED =
      ConfigKey.ofLong("demo.seed", 1234, "Seed of the model, the data order and the packing.");

  public static final ConfigKeys KEYS =
      ConfigKeys.of(
          "Demo (bin/pipeline demo)",
          List.of("demo"),
          CORPUS,
          LAYERS,
          HIDDEN_SIZE,
          INTERMEDIATE_SIZE,
          HEADS,
          EXPANDED_LAYERS,
          SEQ_LEN,
          PRETRAIN_STEPS,
          DOMAIN_STEPS,
          EVAL_ROWS,
          SEED);

  /** The demo packs general English into one table and every other source into the other. */
  public static final List<String> GENERAL_SOURCES = List.of("general-english");

  private final String corpus;
  private final int layers;
  private final int hiddenSize;
  private final int intermediateSize;
  private final int heads;
  private final int expandedLayers;
  private final int seqLen;
  private final int pretrainSteps;
  private final int domainSteps;
  private final long evalRows;
  private final long seed;

  private DemoOptions(Builder b) {
    this.corpus = b.corpus;
    this.layers = b.layers;
    this.hiddenSize = b.hiddenSize;
    this.intermediateSize = b.intermediateSize;
    this.heads = b.heads;
    this.expandedLayers = b.expandedLayers;
    this.seqLen = b.seqLen;
    this.pretrainSteps = b.pretrainSteps;
    this.domainSteps = b.domainSteps;
    this.evalRows = b.evalRows;
    this.seed = b.seed;
  }

  /** The {@code demo.*} keys of {@code settings}; an unknown {@code demo.*} key is an error. */
  public static DemoOptions from(Settings settings) {
    KEYS.requireKnown(settings);
    return builder()
        .optCorpus(CORPUS.get(settings))
        .optLayers(LAYERS.get(settings))
        .optHiddenSize(HIDDEN_SIZE.get(settings))
        .optIntermediateSize(INTERMEDIATE_SIZE.get(settings))
        .optHeads(HEADS.get(settings))
        .optExpandedLayers(EXPANDED_LAYERS.get(settings))
        .optSeqLen(SEQ_LEN.get(settings))
        .optPretrainSteps(PRETRAIN_STEPS.get(settings))
        .optDomainSteps(DOMAIN_STEPS.get(settings))
        .optEvalRows(EVAL_ROWS.get(settings))
        .optSeed(SEED.get(settings))
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The corpus as configured; {@link DemoCommand} resolves it against the repository. */
  public String corpus() {
    return corpus;
  }

  public int layers() {
    return layers;
  }

  public int hiddenSize() {
    return hiddenSize;
  }

  public int intermediateSize() {
    return intermediateSize;
  }

  public int heads() {
    return heads;
  }

  public int expandedLayers() {
    return expandedLayers;
  }

  public int seqLen() {
    return seqLen;
  }

  public int pretrainSteps() {
    return pretrainSteps;
  }

  public int domainSteps() {
    return domainSteps;
  }

  public long evalRows() {
    return evalRows;
  }

  public long seed() {
    return seed;
  }

  /** Builds {@link DemoOptions}; every value has the default of its key until set. */
  public static final class Builder {
    private String corpus = CORPUS.defaultValue();
    private int layers = LAYERS.defaultValue();
    private int hiddenSize = HIDDEN_SIZE.defaultValue();
    private int intermediateSize = INTERMEDIATE_SIZE.defaultValue();
    private int heads = HEADS.defaultValue();
    private int expandedLayers = EXPANDED_LAYERS.defaultValue();
    private int seqLen = SEQ_LEN.defaultValue();
    private int pretrainSteps = PRETRAIN_STEPS.defaultValue();
    private int domainSteps = DOMAIN_STEPS.defaultValue();
    private long evalRows = EVAL_ROWS.defaultValue();
    private long seed = SEED.defaultValue();

    private Builder() {}

    public Builder optCorpus(String corpus) {
      this.corpus = corpus;
      return this;
    }

    public Builder optLayers(int layers) {
      this.layers = layers;
      return this;
    }

    public Builder optHiddenSize(int hiddenSize) {
      this.hiddenSize = hiddenSize;
      return this;
    }

    public Builder optIntermediateSize(int intermediateSize) {
      this.intermediateSize = intermediateSize;
      return this;
    }

    public Builder optHeads(int heads) {
      this.heads = heads;
      return this;
    }

    public Builder optExpandedLayers(int expandedLayers) {
      this.expandedLayers = expandedLayers;
      return this;
    }

    public Builder optSeqLen(int seqLen) {
      this.seqLen = seqLen;
      return this;
    }

    public Builder optPretrainSteps(int pretrainSteps) {
      this.pretrainSteps = pretrainSteps;
      return this;
    }

    public Builder optDomainSteps(int domainSteps) {
      this.domainSteps = domainSteps;
      return this;
    }

    public Builder optEvalRows(long evalRows) {
      this.evalRows = evalRows;
      return this;
    }

    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public DemoOptions build() {
      if (corpus == null || corpus.isBlank()) {
        throw new ConfigException("Invalid " + CORPUS + ": '" + corpus + "' (expected a path)");
      }
      positive(LAYERS, layers);
      positive(HIDDEN_SIZE, hiddenSize);
      positive(INTERMEDIATE_SIZE, intermediateSize);
      positive(HEADS, heads);
      positive(SEQ_LEN, seqLen);
      positive(PRETRAIN_STEPS, pretrainSteps);
      positive(DOMAIN_STEPS, domainSteps);
      positive(EVAL_ROWS, evalRows);
      if (hiddenSize % heads != 0) {
        throw new ConfigException(
            "Invalid "
                + HEADS
                + ": "
                + heads
                + " (must divide "
                + HIDDEN_SIZE
                + " "
                + hiddenSize
                + ")");
      }
      if (expandedLayers <= layers) {
        throw new ConfigException(
            "Invalid "
                + EXPANDED_LAYERS
                + ": "
                + expandedLayers
                + " (must be > "
                + LAYERS
                + " "
                + layers
                + ")");
      }
      return new DemoOptions(this);
    }

    private static void positive(ConfigKey<?> key, long value) {
      if (value <= 0) {
        throw new ConfigException("Invalid " + key + ": " + value + " (must be > 0)");
      }
    }
  }
}
