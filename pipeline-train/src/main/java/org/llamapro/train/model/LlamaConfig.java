package org.llamapro.train.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import org.llamapro.train.checkpoint.HfModelDirectory;

/**
 * The decoder's shape, as a Hugging Face {@code config.json} describes it (read and written by
 * {@link HfConfigJson}). LLaMA, Mistral and Qwen2 share this architecture; they differ only in
 * which projections carry biases.
 *
 * <p>Mistral's sliding-window attention is not implemented: attention is full causal, which equals
 * Mistral's up to {@code sliding_window} tokens (4096 for Mistral-7B).
 */
public final class LlamaConfig {
  public static final List<String> SUPPORTED_MODEL_TYPES = List.of("llama", "mistral", "qwen2");

  private final String modelType;
  private final int vocabSize;
  private final int hiddenSize;
  private final int intermediateSize;
  private final int numHiddenLayers;
  private final int numAttentionHeads;
  private final int numKeyValueHeads;
  private final int headDim;
  private final double rmsNormEps;
  private final double ropeTheta;
  private final int maxPositionEmbeddings;
  private final double initializerRange;
  private final boolean tieWordEmbeddings;
  private final boolean qkvBias;
  private final boolean outputBias;
  private final boolean mlpBias;

  private LlamaConfig(Builder b) {
    this.modelType = b.modelType;
    this.vocabSize = b.vocabSize;
    this.hiddenSize = b.hiddenSize;
    this.intermediateSize = b.intermediateSize;
    this.numHiddenLayers = b.numHiddenLayers;
    this.numAttentionHeads = b.numAttentionHeads;
    this.numKeyValueHeads = b.numKeyValueHeads != null ? b.numKeyValueHeads : b.numAttentionHeads;
    this.headDim = b.headDim != null ? b.headDim : b.hiddenSize / b.numAttentionHeads;
    this.rmsNormEps = b.rmsNormEps;
    this.ropeTheta = b.ropeTheta;
    this.maxPositionEmbeddings = b.maxPositionEmbeddings;
    this.initializerRange = b.initializerRange;
    this.tieWordEmbeddings = b.tieWordEmbeddings;
    this.qkvBias = b.qkvBias != null ? b.qkvBias : b.modelType.equals("qwen2");
    this.outputBias = b.outputBias != null ? b.outputBias : false;
    this.mlpBias = b.mlpBias != null ? b.mlpBias : false;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every value of this config, to change a few. */
  public Builder toBuilder() {
    return builder()
        .optModelType(modelType)
        .setVocabSize(vocabSize)
        .setHiddenSize(hiddenSize)
        .setIntermediateSize(intermediateSize)
        .setNumHiddenLayers(numHiddenLayers)
        .setNumAttentionHeads(numAttentionHeads)
        .optNumKeyValueHeads(numKeyValueHeads)
        .optHeadDim(headDim)
        .optRmsNormEps(rmsNormEps)
        .optRopeTheta(ropeTheta)
        .optMaxPositionEmbeddings(maxPositionEmbeddings)
        .optInitializerRange(initializerRange)
        .optTieWordEmbeddings(tieWordEmbeddings)
        .optQkvBias(qkvBias)
        .optOutputBias(outputBias)
        .optMlpBias(mlpBias);
  }

  /**
   * Reads a {@code config.json} tree; {@code source} names the file in error messages. Refuses what
   * the model does not implement (other activations, RoPE scaling) rather than computing wrong
   * logits.
   */
  public static LlamaConfig fromHfConfig(JsonNode json, String source) {
    return HfConfigJson.parse(json, source);
  }

  /** The config of a model directory, read from its {@code config.json}. */
  public static LlamaConfig fromHfConfig(HfModelDirectory directory) {
    return HfConfigJson.parse(
        directory.config(), directory.directory().resolve(HfModelDirectory.CONFIG).toString());
  }

  /**
   * A {@code config.json} for this shape, as transformers writes it for the model type (used for
   * models this project creates; expansion edits the original JSON instead, keeping every key).
   */
  public ObjectNode toJson() {
    return HfConfigJson.toJson(this);
  }

  /** Query heads per key/value head (grouped-query attention); 1 for plain multi-head. */
  public int groupSize() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /** The same model with a different number of decoder blocks (what block expansion changes). */
  public LlamaConfig withLayers(int layers) {
    return toBuilder().setNumHiddenLayers(layers).build();
  }

  /** Parameters of one decoder block. */
  public long parametersPerBlock() {
    long d = hiddenSize;
    long q = (long) numAttentionHeads * headDim;
    long kv = (long) numKeyValueHeads * headDim;
    long attention = d * q + 2 * d * kv + q * d;
    if (qkvBias) {
      attention += q + 2 * kv;
    }
    if (outputBias) {
      attention += d;
    }
    long mlp = 3 * d * intermediateSize + (mlpBias ? 2L * intermediateSize + d : 0);
    return attention + mlp + 2 * d;
  }

  public String modelType() {
    return modelType;
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int hiddenSize() {
    return hiddenSize;
  }

  public int intermediateSize() {
    return intermediateSize;
  }

  public int numHiddenLayers() {
    return numHiddenLayers;
  }

  public int numAttentionHeads() {
    return numAttentionHeads;
  }

  public int numKeyValueHeads() {
    return numKeyValueHeads;
  }

  public int headDim() {
    return headDim;
  }

  public double rmsNormEps() {
    return rmsNormEps;
  }

  public double ropeTheta() {
    return ropeTheta;
  }

  public int maxPositionEmbeddings() {
    return maxPositionEmbeddings;
  }

  /** Standard deviation of transformers' normal initialisation of the projections. */
  public double initializerRange() {
    return initializerRange;
  }

  public boolean tieWordEmbeddings() {
    return tieWordEmbeddings;
  }

  public boolean qkvBias() {
    return qkvBias;
  }

  public boolean outputBias() {
    return outputBias;
  }

  public boolean mlpBias() {
    return mlpBias;
  }

  /** Every value, in declaration order: what equality compares. */
  private List<Object> values() {
    return List.of(
        modelType,
        vocabSize,
        hiddenSize,
        intermediateSize,
        numHiddenLayers,
        numAttentionHeads,
        numKeyValueHeads,
        headDim,
        rmsNormEps,
        ropeTheta,
        maxPositionEmbeddings,
        initializerRange,
        tieWordEmbeddings,
        qkvBias,
        outputBias,
        mlpBias);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LlamaConfig c && values().equals(c.values());
  }

  @Override
  public int hashCode() {
    return values().hashCode();
  }

  @Override
  public String toString() {
    return "LlamaConfig" + HfConfigJson.toJson(this);
  }

  /**
   * Collects a config: {@code setX} for the values every model must state, {@code optX} for those
   * with transformers' defaults. {@link #build()} validates them; errors use config.json's keys.
   */
  public static final class Builder {
    private String modelType = "llama";
    private int vocabSize;
    private int hiddenSize;
    private int intermediateSize;
    private int numHiddenLayers;
    private int numAttentionHeads;
    private Integer numKeyValueHeads; // default: numAttentionHeads (plain multi-head)
    private Integer headDim; // default: hiddenSize / numAttentionHeads
    private double rmsNormEps = 1e-6;
    private double ropeTheta = 10000.0;
    private int maxPositionEmbeddings = 2048;
    private double initializerRange = 0.02;
    private boolean tieWordEmbeddings;
    private Boolean qkvBias; // default: true for qwen2 only
    private Boolean outputBias; // default: false
    private Boolean mlpBias; // default: false

    private Builder() {}

    /** llama (default), mistral or qwen2. */
    public Builder optModelType(String modelType) {
      this.modelType = requireNonNull(modelType, "modelType is null").toLowerCase(Locale.ROOT);
      return this;
    }

    public Builder setVocabSize(int vocabSize) {
      this.vocabSize = vocabSize;
      return this;
    }

    public Builder setHiddenSize(int hiddenSize) {
      this.hiddenSize = hiddenSize;
      return this;
    }

    public Builder setIntermediateSize(int intermediateSize) {
      this.intermediateSize = intermediateSize;
      return this;
    }

    public Builder setNumHiddenLayers(int numHiddenLayers) {
      this.numHiddenLayers = numHiddenLayers;
      return this;
    }

    public Builder setNumAttentionHeads(int numAttentionHeads) {
      this.numAttentionHeads = numAttentionHeads;
      return this;
    }

    /** Key/value heads for grouped-query attention (default: as many as query heads). */
    public Builder optNumKeyValueHeads(int numKeyValueHeads) {
      this.numKeyValueHeads = numKeyValueHeads;
      return this;
    }

    /** Per-head width (default: hidden_size / num_attention_heads, which must then divide). */
    public Builder optHeadDim(int headDim) {
      this.headDim = headDim;
      return this;
    }

    public Builder optRmsNormEps(double rmsNormEps) {
      this.rmsNormEps = rmsNormEps;
      return this;
    }

    public Builder optRopeTheta(double ropeTheta) {
      this.ropeTheta = ropeTheta;
      return this;
    }

    public Builder optMaxPositionEmbeddings(int maxPositionEmbeddings) {
      this.maxPositionEmbeddings = maxPositionEmbeddings;
      return this;
    }

    public Builder optInitializerRange(double initializerRange) {
      this.initializerRange = initializerRange;
      return this;
    }

    public Builder optTieWordEmbeddings(boolean tieWordEmbeddings) {
      this.tieWordEmbeddings = tieWordEmbeddings;
      return this;
    }

    /** Biases on q/k/v_proj (default: qwen2 has them, llama and mistral do not). */
    public Builder optQkvBias(boolean qkvBias) {
      this.qkvBias = qkvBias;
      return this;
    }

    /** A bias on o_proj (default: none). */
    public Builder optOutputBias(boolean outputBias) {
      this.outputBias = outputBias;
      return this;
    }

    /** Biases on gate/up/down_proj (default: none). */
    public Builder optMlpBias(boolean mlpBias) {
      this.mlpBias = mlpBias;
      return this;
    }

    public LlamaConfig build() {
      if (!SUPPORTED_MODEL_TYPES.contains(modelType)) {
        throw new IllegalArgumentException(
            "Unsupported model_type '"
                + modelType
                + "' (supported: "
                + String.join(", ", SUPPORTED_MODEL_TYPES)
                + ")");
      }
      requirePositive("vocab_size", vocabSize);
      requirePositive("hidden_size", hiddenSize);
      requirePositive("intermediate_size", intermediateSize);
      requirePositive("num_hidden_layers", numHiddenLayers);
      requirePositive("num_attention_heads", numAttentionHeads);
      requirePositive("max_position_embeddings", maxPositionEmbeddings);
      int kvHeads = numKeyValueHeads != null ? numKeyValueHeads : numAttentionHeads;
      requirePositive("num_key_value_heads", kvHeads);
      if (numAttentionHeads % kvHeads != 0) {
        throw new IllegalArgumentException(
            "num_attention_heads ("
                + numAttentionHeads
                + ") must be a multiple of num_key_value_heads ("
                + kvHeads
                + ")");
      }
      if (headDim == null && hiddenSize % numAttentionHeads != 0) {
        throw new IllegalArgumentException(
            "hidden_size ("
                + hiddenSize
                + ") is not a multiple of num_attention_heads ("
                + numAttentionHeads
                + ") and no head_dim is given");
      }
      int dim = headDim != null ? headDim : hiddenSize / numAttentionHeads;
      requirePositive("head_dim", dim);
      if (dim % 2 != 0) {
        throw new IllegalArgumentException("head_dim must be even for rotary embeddings: " + dim);
      }
      if (!(rmsNormEps > 0)) {
        throw new IllegalArgumentException(
            "Invalid rms_norm_eps: " + rmsNormEps + " (must be > 0)");
      }
      if (!(ropeTheta > 0)) {
        throw new IllegalArgumentException("Invalid rope_theta: " + ropeTheta + " (must be > 0)");
      }
      if (!(initializerRange > 0)) {
        throw new IllegalArgumentException(
            "Invalid initializer_range: " + initializerRange + " (must be > 0)");
      }
      return new LlamaConfig(this);
    }

    private static void requirePositive(String key, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException("Invalid " + key + ": " + value + " (must be > 0)");
      }
    }
  }
}
