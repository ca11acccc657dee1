package org.llamapro.data.pack;

import java.util.Map;
import org.llamapro.data.stage.StageReport;
import org.llamapro.shards.ShardBuild;
import org.llamapro.shards.ShardManifest;

/**
 * What a tokenize + pack run committed: the shard table and its manifest, the new table version,
 * the packing units and the counts per split and source; printed by {@code data pack} and written
 * into {@code summary.json} by {@code data prepare}.
 *
 * @param seconds the run's wall time, to a tenth of a second
 */
public record PackReport(
    String shards,
    String manifest,
    long tableVersion,
    ShardBuild.Units units,
    Map<String, ShardManifest.SplitCounts> counts,
    double seconds)
    implements StageReport {}
