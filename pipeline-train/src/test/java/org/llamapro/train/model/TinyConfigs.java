package org.llamapro.train.model;

/** Tiny configurations covering the architecture's variants. */
public final class TinyConfigs {
  private TinyConfigs() {}

  /** Plain multi-head LLaMA, untied, no biases. */
  public static LlamaConfig llama(int layers) {
    return LlamaConfig.builder()
        .setVocabSize(97)
        .setHiddenSize(32)
        .setIntermediateSize(48)
        .setNumHiddenLayers(layers)
        .setNumAttentionHeads(4)
        .optRmsNormEps(1e-5)
        .optMaxPositionEmbeddings(256)
        .build();
  }

  /**
   * LLaMA-2's 32,000-id vocabulary on a tiny body (hidden 32), for tests on real tokenized shards.
   */
  public static LlamaConfig llama2Vocabulary(int layers) {
    return llama(layers).toBuilder().setVocabSize(32000).setIntermediateSize(64).build();
  }

  /** Grouped-query attention (4 query heads share 2 kv heads), tied embeddings. */
  public static LlamaConfig groupedTied(int layers) {
    return LlamaConfig.builder()
        .optModelType("mistral")
        .setVocabSize(97)
        .setHiddenSize(32)
        .setIntermediateSize(40)
        .setNumHiddenLayers(layers)
        .setNumAttentionHeads(4)
        .optNumKeyValueHeads(2)
        .optRmsNormEps(1e-6)
        .optRopeTheta(1e6)
        .optMaxPositionEmbeddings(256)
        .optTieWordEmbeddings(true)
        .build();
  }

  /** Qwen2-style q/k/v biases with grouped-query attention. */
  public static LlamaConfig qwen2(int layers) {
    return groupedTied(layers).toBuilder()
        .optModelType("qwen2")
        .optTieWordEmbeddings(false)
        .optQkvBias(true)
        .build();
  }
}
