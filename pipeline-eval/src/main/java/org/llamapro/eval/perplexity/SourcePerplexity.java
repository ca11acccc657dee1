package org.llamapro.eval.perplexity;

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
}
