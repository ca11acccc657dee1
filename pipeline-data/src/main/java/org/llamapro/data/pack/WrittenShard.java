package org.llamapro.data.pack;

import java.io.Serializable;

/**
 * A shard file one pack task wrote into the table directory, not yet part of the table: what the
 * driver's Delta commit records for it ({@code name} is relative to the table).
 */
record WrittenShard(
    String name,
    long bytes,
    long modificationTime,
    String split,
    int unit,
    long rows,
    long firstRow,
    long lastRow,
    int minTokens,
    int maxTokens)
    implements Serializable {}
