package org.llamapro.data.pack;

import org.llamapro.shards.ShardBuild;

/**
 * What a tokenize + pack run produced: the committed shard table version, the manifest, and the
 * counts per split and source.
 */
public record PackResult(
    String shardsPath,
    String manifestPath,
    long tableVersion,
    PackCounts counts,
    ShardBuild.Units units,
    double seconds) {

  /** The run as reported by {@code data pack} and in {@code summary.json}. */
  public PackReport report() {
    return new PackReport(
        shardsPath,
        manifestPath,
        tableVersion,
        units,
        counts.toManifest(),
        Math.round(seconds * 10) / 10.0);
  }
}
