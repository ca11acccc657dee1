package org.llamapro.data.pack;

import java.io.Serializable;

/**
 * Counts reported by one task, keyed by what it computed ({@code tokenize-<partition>}, {@code
 * pack-<partition>}): a retried task reports the same key again and the driver keeps one.
 */
record TaskCounts(String key, PackCounts counts) implements Serializable {}
