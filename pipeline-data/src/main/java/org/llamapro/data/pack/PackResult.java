package org.llamapro.data.pack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a tokenize + pack run produced: the committed shard table version, the manifest, and the
 * counts per split and source (for summary.json).
 */
public record PackResult(
    String shardsPath,
    String manifestPath,
    long tableVersion,
    PackCounts counts,
    Map<String, Integer> units,
    double seconds) {

  /** The part of summary.json that describes tokenize, mix and pack. */
  public Map<String, Object> toSummary() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("shards", shardsPath);
    map.put("manifest", manifestPath);
    map.put("table_version", tableVersion);
    map.put("units", units);
    map.put("counts", counts.toMap());
    map.put("seconds", Math.round(seconds * 10) / 10.0);
    return map;
  }
}
