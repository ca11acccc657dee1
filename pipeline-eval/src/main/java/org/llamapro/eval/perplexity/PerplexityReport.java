package org.llamapro.eval.perplexity;

import java.util.LinkedHashMap;
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

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("model", model);
    map.put("shards", shards);
    map.put("shard_version", shardVersion);
    map.put("split", split);
    map.put("rows", rows);
    Map<String, Object> bySource = new LinkedHashMap<>();
    new TreeMap<>(sources).forEach((name, value) -> bySource.put(name, value.toMap()));
    map.put("sources", bySource);
    map.put("all", all().toMap());
    return map;
  }
}
