package org.llamapro.train.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * The decoder's shape, read from a Hugging Face {@code config.json}. LLaMA, Mistral and Qwen2 share
 * this architecture; they differ only in which projections carry biases.
 *
 * <p>Mistral's sliding-window attention is not implemented: attention is full causal, which equals
 * Mistral's up to {@code sliding_window} tokens (4096 for Mistral-7B).
 */
public record LlamaConfig(
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    boolean qkvBias,
    boolean outputBias,
    boolean mlpBias) {

  public static final List<String> SUPPORTED_MODEL_TYPES = List.of("llama", "mistral", "qwen2");

  public LlamaConfig {
    requirePositive("vocab_size", vocabSize);
    requirePositive("hidden_size", hiddenSize);
    requirePositive("intermediate_size", intermediateSize);
    requirePositive("num_hidden_layers", numHiddenLayers);
    requirePositive("num_attention_heads", numAttentionHeads);
    requirePositive("num_key_value_heads", numKeyValueHeads);
    requirePositive("head_dim", headDim);
    requirePositive("max_position_embeddings", maxPositionEmbeddings);
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads ("
              + numAttentionHeads
              + ") must be a multiple of num_key_value_heads ("
              + numKeyValueHeads
              + ")");
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("head_dim must be even for rotary embeddings: " + headDim);
    }
    if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
      throw new IllegalArgumentException(
          "rms_norm_eps and rope_theta must be > 0: " + rmsNormEps + ", " + ropeTheta);
    }
  }

  /** Query heads per key/value head (grouped-query attention); 1 for plain multi-head. */
  public int groupSize() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /** The same model with a different number of decoder blocks (what block expansion changes). */
  public LlamaConfig withLayers(int layers) {
    return new LlamaConfig(
        modelType,
        vocabSize,
        hiddenSize,
        intermediateSize,
        layers,
        numAttentionHeads,
        numKeyValueHeads,
        headDim,
        rmsNormEps,
        ropeTheta,
        maxPositionEmbeddings,
        tieWordEmbeddings,
        qkvBias,
        outputBias,
        mlpBias);
  }

  /**
   * A {@code config.json} for this shape, as transformers writes it for the model type (used for
   * models this project creates; expansion edits the original JSON instead, keeping every key).
   */
  public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
    com.fasterxml.jackson.databind.node.ObjectNode json =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    String architecture =
        switch (modelType) {
          case "mistral" -> "MistralForCausalLM";
          case "qwen2" -> "Qwen2ForCausalLM";
          default -> "LlamaForCausalLM";
        };
    json.putArray("architectures").add(architecture);
    json.put("model_type", modelType);
    json.put("vocab_size", vocabSize);
    json.put("hidden_size", hiddenSize);
    json.put("intermediate_size", intermediateSize);
    json.put("num_hidden_layers", numHiddenLayers);
    json.put("num_attention_heads", numAttentionHeads);
    json.put("num_key_value_heads", numKeyValueHeads);
    json.put("head_dim", headDim);
    json.put("hidden_act", "silu");
    json.put("rms_norm_eps", rmsNormEps);
    json.put("rope_theta", ropeTheta);
    json.put("max_position_embeddings", maxPositionEmbeddings);
    json.put("tie_word_embeddings", tieWordEmbeddings);
    if (modelType.equals("llama")) {
      json.put("attention_bias", qkvBias);
      json.put("mlp_bias", mlpBias);
    }
    json.put("bos_token_id", 1);
    json.put("eos_token_id", 2);
    json.put("initializer_range", 0.02);
    json.put("torch_dtype", "float32");
    return json;
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

  /**
   * Reads {@code config.json}. {@code source} names the file in error messages. Refuses what the
   * model does not implement (other activations, RoPE scaling) rather than computing wrong logits.
   */
  public static LlamaConfig fromJson(JsonNode json, String source) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object");
    }
    String modelType = text(json, "model_type", "llama").toLowerCase(Locale.ROOT);
    if (!SUPPORTED_MODEL_TYPES.contains(modelType)) {
      throw new IllegalArgumentException(
          source
              + ": unsupported model_type '"
              + modelType
              + "' (supported: "
              + String.join(", ", SUPPORTED_MODEL_TYPES)
              + ")");
    }
    String activation = text(json, "hidden_act", "silu");
    if (!activation.equals("silu")) {
      throw new IllegalArgumentException(
          source + ": unsupported hidden_act '" + activation + "' (only silu)");
    }
    JsonNode ropeScaling = json.get("rope_scaling");
    if (ropeScaling != null && !ropeScaling.isNull()) {
      String type = ropeScaling.path("rope_type").asText(ropeScaling.path("type").asText(""));
      if (!type.equals("default")) {
        throw new IllegalArgumentException(
            source + ": rope_scaling '" + type + "' is not supported (only plain RoPE)");
      }
    }
    int hidden = integer(json, "hidden_size", source, null);
    int heads = integer(json, "num_attention_heads", source, null);
    int kvHeads = integer(json, "num_key_value_heads", source, heads);
    if (heads <= 0 || hidden % heads != 0 && !json.has("head_dim")) {
      throw new IllegalArgumentException(
          source
              + ": hidden_size ("
              + hidden
              + ") is not a multiple of num_attention_heads ("
              + heads
              + ") and no head_dim is given");
    }
    int headDim =
        json.hasNonNull("head_dim") ? integer(json, "head_dim", source, null) : hidden / heads;
    boolean qkvBias;
    boolean outputBias;
    switch (modelType) {
      case "qwen2" -> {
        qkvBias = true;
        outputBias = false;
      }
      case "llama" -> {
        qkvBias = json.path("attention_bias").asBoolean(false);
        outputBias = qkvBias;
      }
      default -> {
        qkvBias = false;
        outputBias = false;
      }
    }
    return new LlamaConfig(
        modelType,
        integer(json, "vocab_size", source, null),
        hidden,
        integer(json, "intermediate_size", source, null),
        integer(json, "num_hidden_layers", source, null),
        heads,
        kvHeads,
        headDim,
        number(json, "rms_norm_eps", source, 1e-6),
        number(json, "rope_theta", source, 10000.0),
        integer(json, "max_position_embeddings", source, 2048),
        json.path("tie_word_embeddings").asBoolean(false),
        qkvBias,
        outputBias,
        modelType.equals("llama") && json.path("mlp_bias").asBoolean(false));
  }

  private static String text(JsonNode json, String key, String defaultValue) {
    JsonNode node = json.get(key);
    return node == null || node.isNull() ? defaultValue : node.asText();
  }

  private static int integer(JsonNode json, String key, String source, Integer defaultValue) {
    JsonNode node = json.get(key);
    if (node == null || node.isNull()) {
      if (defaultValue == null) {
        throw new IllegalArgumentException(source + ": missing '" + key + "'");
      }
      return defaultValue;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      throw new IllegalArgumentException(
          source + ": '" + key + "' must be an integer, got " + node);
    }
    return node.intValue();
  }

  private static double number(JsonNode json, String key, String source, double defaultValue) {
    JsonNode node = json.get(key);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isNumber()) {
      throw new IllegalArgumentException(source + ": '" + key + "' must be a number, got " + node);
    }
    return node.doubleValue();
  }

  private static void requirePositive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("Invalid " + key + ": " + value + " (must be > 0)");
    }
  }
}
