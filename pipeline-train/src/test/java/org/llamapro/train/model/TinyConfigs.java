package org.llamapro.train.model;

/** Tiny configurations covering the architecture's variants. */
public final class TinyConfigs {
  private TinyConfigs() {}

  /** Plain multi-head LLaMA, untied, no biases. */
  public static LlamaConfig llama(int layers) {
    return new LlamaConfig(
        "llama", 97, 32, 48, layers, 4, 4, 8, 1e-5, 10000, 256, false, false, false, false);
  }

  /** Grouped-query attention (4 query heads share 2 kv heads), tied embeddings. */
  public static LlamaConfig groupedTied(int layers) {
    return new LlamaConfig(
        "mistral", 97, 32, 40, layers, 4, 2, 8, 1e-6, 1e6, 256, true, false, false, false);
  }

  /** Qwen2-style q/k/v biases with grouped-query attention. */
  public static LlamaConfig qwen2(int layers) {
    return new LlamaConfig(
        "qwen2", 97, 32, 40, layers, 4, 2, 8, 1e-6, 1e6, 256, false, true, false, false);
  }
}
