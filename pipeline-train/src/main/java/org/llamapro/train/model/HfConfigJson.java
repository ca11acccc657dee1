package org.llamapro.train.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import org.llamapro.io.AtomicFiles;

/**
 * Hugging Face's {@code config.json}, the one place that reads and writes its keys. It is a
 * third-party format with dozens of optional keys, so it stays a JSON tree: reading picks the keys
 * the decoder needs ({@link #parse}), and editing ({@link #withLayers}) keeps every other key as it
 * was.
 */
public final class HfConfigJson {
  public static final String NUM_HIDDEN_LAYERS = "num_hidden_layers";

  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HfConfigJson() {}

  /** See {@link LlamaConfig#fromHfConfig(JsonNode, String)}. */
  static LlamaConfig parse(JsonNode json, String source) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object");
    }
    String modelType = text(json, "model_type", "llama").toLowerCase(Locale.ROOT);
    if (!LlamaConfig.SUPPORTED_MODEL_TYPES.contains(modelType)) {
      throw new IllegalArgumentException(
          source
              + ": unsupported model_type '"
              + modelType
              + "' (supported: "
              + String.join(", ", LlamaConfig.SUPPORTED_MODEL_TYPES)
              + ")");
    }
    String activation = text(json, "hidden_act", "silu");
    if (!activation.equals("silu")) {
      throw new IllegalArgumentException(
          source + ": unsupported hidden_act '" + activation + "' (only silu)");
    }
    JsonNode ropeScaling = json.get("rope_scaling");
    if (ropeScaling != null && !ropeScaling.isNull()) {
      String type = text(ropeScaling, "rope_type", text(ropeScaling, "type", ""));
      if (!type.equals("default")) {
        throw new IllegalArgumentException(
            source + ": rope_scaling '" + type + "' is not supported (only plain RoPE)");
      }
    }
    int heads = integer(json, "num_attention_heads", source, null);
    LlamaConfig.Builder builder =
        LlamaConfig.builder()
            .optModelType(modelType)
            .setVocabSize(integer(json, "vocab_size", source, null))
            .setHiddenSize(integer(json, "hidden_size", source, null))
            .setIntermediateSize(integer(json, "intermediate_size", source, null))
            .setNumHiddenLayers(integer(json, NUM_HIDDEN_LAYERS, source, null))
            .setNumAttentionHeads(heads)
            .optNumKeyValueHeads(integer(json, "num_key_value_heads", source, heads))
            .optRmsNormEps(number(json, "rms_norm_eps", source, 1e-6))
            .optRopeTheta(number(json, "rope_theta", source, 10000.0))
            .optMaxPositionEmbeddings(integer(json, "max_position_embeddings", source, 2048))
            .optInitializerRange(number(json, "initializer_range", source, 0.02))
            .optTieWordEmbeddings(bool(json, "tie_word_embeddings", source));
    if (json.hasNonNull("head_dim")) {
      builder.optHeadDim(integer(json, "head_dim", source, null));
    }
    switch (modelType) {
      case "qwen2" -> builder.optQkvBias(true).optOutputBias(false);
      case "llama" -> {
        boolean attentionBias = bool(json, "attention_bias", source);
        builder
            .optQkvBias(attentionBias)
            .optOutputBias(attentionBias)
            .optMlpBias(bool(json, "mlp_bias", source));
      }
      default -> builder.optQkvBias(false).optOutputBias(false);
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /** A config.json for {@code config}, with the keys transformers writes for its model type. */
  static ObjectNode toJson(LlamaConfig config) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    String architecture =
        switch (config.modelType()) {
          case "mistral" -> "MistralForCausalLM";
          case "qwen2" -> "Qwen2ForCausalLM";
          default -> "LlamaForCausalLM";
        };
    json.putArray("architectures").add(architecture);
    json.put("model_type", config.modelType());
    json.put("vocab_size", config.vocabSize());
    json.put("hidden_size", config.hiddenSize());
    json.put("intermediate_size", config.intermediateSize());
    json.put(NUM_HIDDEN_LAYERS, config.numHiddenLayers());
    json.put("num_attention_heads", config.numAttentionHeads());
    json.put("num_key_value_heads", config.numKeyValueHeads());
    json.put("head_dim", config.headDim());
    json.put("hidden_act", "silu");
    json.put("rms_norm_eps", config.rmsNormEps());
    json.put("rope_theta", config.ropeTheta());
    json.put("max_position_embeddings", config.maxPositionEmbeddings());
    json.put("tie_word_embeddings", config.tieWordEmbeddings());
    if (config.modelType().equals("llama")) {
      json.put("attention_bias", config.qkvBias());
      json.put("mlp_bias", config.mlpBias());
    }
    json.put("bos_token_id", 1);
    json.put("eos_token_id", 2);
    json.put("initializer_range", config.initializerRange());
    json.put("torch_dtype", "float32");
    return json;
  }

  /** A copy of {@code json} with {@code num_hidden_layers} set and every other key kept. */
  public static ObjectNode withLayers(ObjectNode json, int layers) {
    ObjectNode copy = json.deepCopy();
    copy.put(NUM_HIDDEN_LAYERS, layers);
    return copy;
  }

  /** Pretty JSON with a trailing newline, as transformers writes config files; atomically. */
  public static void write(Path file, JsonNode json) {
    try {
      AtomicFiles.writeString(file, PRETTY.writeValueAsString(json) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode json, String key, String defaultValue) {
    JsonNode node = json.get(key);
    return node == null || node.isNull() ? defaultValue : node.asText();
  }

  private static boolean bool(JsonNode json, String key, String source) {
    return value(
        json, key, source, false, JsonNode::isBoolean, "true or false", JsonNode::asBoolean);
  }

  private static int integer(JsonNode json, String key, String source, Integer defaultValue) {
    return value(
        json,
        key,
        source,
        defaultValue,
        node -> node.isIntegralNumber() && node.canConvertToInt(),
        "an integer",
        JsonNode::intValue);
  }

  private static double number(JsonNode json, String key, String source, double defaultValue) {
    return value(
        json, key, source, defaultValue, JsonNode::isNumber, "a number", JsonNode::doubleValue);
  }

  /**
   * {@code key}'s value, or {@code defaultValue} when absent or null (required when that is null).
   */
  private static <T> T value(
      JsonNode json,
      String key,
      String source,
      T defaultValue,
      Predicate<JsonNode> valid,
      String expected,
      Function<JsonNode, T> read) {
    JsonNode node = json.get(key);
    if (node == null || node.isNull()) {
      if (defaultValue == null) {
        throw new IllegalArgumentException(source + ": missing '" + key + "'");
      }
      return defaultValue;
    }
    if (!valid.test(node)) {
      throw new IllegalArgumentException(
          source + ": '" + key + "' must be " + expected + ", got " + node);
    }
    return read.apply(node);
  }
}
