package org.llamapro.train.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class LlamaConfigTest {
  private static LlamaConfig.Builder llama() {
    return LlamaConfig.builder()
        .setVocabSize(97)
        .setHiddenSize(32)
        .setIntermediateSize(48)
        .setNumHiddenLayers(2)
        .setNumAttentionHeads(4);
  }

  @Test
  void optionalValuesHaveTransformersDefaults() {
    LlamaConfig config = llama().build();
    assertEquals("llama", config.modelType());
    assertEquals(4, config.numKeyValueHeads());
    assertEquals(8, config.headDim());
    assertEquals(1e-6, config.rmsNormEps());
    assertEquals(10000.0, config.ropeTheta());
    assertEquals(2048, config.maxPositionEmbeddings());
    assertEquals(0.02, config.initializerRange());
    assertFalse(config.tieWordEmbeddings() || config.qkvBias() || config.outputBias());
    assertTrue(llama().optModelType("qwen2").build().qkvBias(), "qwen2 has q/k/v biases");
  }

  @Test
  void buildNamesTheKeyAndTheBadValue() {
    assertEquals(
        "Invalid vocab_size: 0 (must be > 0)",
        assertThrows(IllegalArgumentException.class, () -> llama().setVocabSize(0).build())
            .getMessage());
    assertEquals(
        "hidden_size (30) is not a multiple of num_attention_heads (4) and no head_dim is given",
        assertThrows(IllegalArgumentException.class, () -> llama().setHiddenSize(30).build())
            .getMessage());
    assertEquals(
        "num_attention_heads (4) must be a multiple of num_key_value_heads (3)",
        assertThrows(IllegalArgumentException.class, () -> llama().optNumKeyValueHeads(3).build())
            .getMessage());
    assertEquals(
        "head_dim must be even for rotary embeddings: 7",
        assertThrows(IllegalArgumentException.class, () -> llama().optHeadDim(7).build())
            .getMessage());
    assertEquals(
        "Invalid rope_theta: -1.0 (must be > 0)",
        assertThrows(IllegalArgumentException.class, () -> llama().optRopeTheta(-1).build())
            .getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> llama().optModelType("gpt2").build())
            .getMessage()
            .startsWith("Unsupported model_type 'gpt2'"));
  }

  @Test
  void withLayersChangesOnlyTheBlockCount() {
    LlamaConfig config = TinyConfigs.qwen2(2);
    LlamaConfig wider = config.withLayers(5);
    assertEquals(5, wider.numHiddenLayers());
    assertEquals(config, wider.withLayers(2));
    assertEquals(config.hashCode(), wider.withLayers(2).hashCode());
  }

  @Test
  void hfConfigRoundTripsAndErrorsNameTheFile() {
    for (LlamaConfig config :
        new LlamaConfig[] {
          TinyConfigs.llama(3), TinyConfigs.groupedTied(2), TinyConfigs.qwen2(1)
        }) {
      assertEquals(config, LlamaConfig.fromHfConfig(config.toJson(), "config.json"));
    }
    ObjectNode json = TinyConfigs.llama(2).toJson();
    json.remove("head_dim");
    json.put("num_attention_heads", 5);
    json.put("num_key_value_heads", 5);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> LlamaConfig.fromHfConfig(json, "/m/config.json"));
    assertEquals(
        "/m/config.json: hidden_size (32) is not a multiple of num_attention_heads (5) and no"
            + " head_dim is given",
        e.getMessage());
    ObjectNode missing = new ObjectMapper().createObjectNode().put("hidden_size", 32);
    assertEquals(
        "/m/config.json: missing 'num_attention_heads'",
        assertThrows(
                IllegalArgumentException.class,
                () -> LlamaConfig.fromHfConfig(missing, "/m/config.json"))
            .getMessage());
  }
}
