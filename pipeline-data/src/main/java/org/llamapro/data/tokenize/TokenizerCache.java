package org.llamapro.data.tokenize;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One tokenizer per JVM and tokenizer file (keyed by its SHA-256), created on first use and reused
 * by every Spark task that runs in the executor. Never closed: it lives as long as the executor.
 */
public final class TokenizerCache {
  private static final ConcurrentHashMap<String, LlamaTokenizer> TOKENIZERS =
      new ConcurrentHashMap<>();

  private TokenizerCache() {}

  /** The tokenizer for {@code sha256}, loading it from {@code file} the first time. */
  public static LlamaTokenizer get(String sha256, Supplier<TokenizerFile> file) {
    return TOKENIZERS.computeIfAbsent(
        sha256,
        key -> {
          TokenizerFile loaded = file.get();
          if (!loaded.sha256().equals(key)) {
            throw new IllegalStateException(
                "Tokenizer "
                    + loaded.name()
                    + " changed: SHA-256 "
                    + loaded.sha256()
                    + ", expected "
                    + key);
          }
          return LlamaTokenizer.load(loaded);
        });
  }
}
