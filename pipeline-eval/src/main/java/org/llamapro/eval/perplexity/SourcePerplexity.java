package org.llamapro.eval.perplexity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accumulated next-token loss of one source: summed NLL in nats over {@code tokens} predicted
 * tokens whose text is {@code bytes} UTF-8 bytes.
 */
public record SourcePerplexity(double nll, long tokens, long bytes) {
  public SourcePerplexity plus(SourcePerplexity other) {
    return new SourcePerplexity(nll + other.nll, tokens + other.tokens, bytes + other.bytes);
  }

  /** exp(mean NLL per token). */
  public double tokenPerplexity() {
    return Math.exp(nll / tokens);
  }

  /** exp(NLL per byte): comparable across tokenizers. */
  public double bytePerplexity() {
    return Math.exp(nll / bytes);
  }

  /** NLL in bits per UTF-8 byte of text. */
  public double bitsPerByte() {
    return nll / bytes / Math.log(2);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("tokens", tokens);
    map.put("bytes", bytes);
    map.put("nll_per_token", tokens == 0 ? null : nll / tokens);
    map.put("token_perplexity", tokens == 0 ? null : tokenPerplexity());
    map.put("byte_perplexity", bytes == 0 ? null : bytePerplexity());
    map.put("bits_per_byte", bytes == 0 ? null : bitsPerByte());
    return map;
  }
}
