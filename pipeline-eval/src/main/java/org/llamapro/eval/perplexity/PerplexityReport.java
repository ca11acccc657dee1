package org.llamapro.eval.perplexity;

import java.util.Map;
import java.util.TreeMap;

/** Perplexity of one model on one split of a shard table, per source and overall. */
public record PerplexityReport(
    String model,
    String shards,
    long shardVersion,
    String split,
    long rows,
    Map<String, SourcePerplexity> sources) {
  public PerplexityReport {
    sources = Map.copyOf(new TreeMap<>(sources));
  }

  public SourcePerplexity all() {
    SourcePerplexity total = new SourcePerplexity(0, 0, 0);
    for (SourcePerplexity s : sources.values()) {
      total = total.plus(s);
    }
    return total;
  }
}
