package org.llamapro.data.pack;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.llamapro.shards.ShardManifest;

/** Counts per split and source, plus rows and padding per split; mergeable. */
public final class PackCounts implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String TRAIN = org.llamapro.shards.ShardColumns.TRAIN;
  public static final String VALIDATION = org.llamapro.shards.ShardColumns.VALIDATION;

  private final TreeMap<String, TreeMap<String, SourceCounts>> sources = new TreeMap<>();
  private final TreeMap<String, long[]> rowsAndPadding = new TreeMap<>();

  /** Rows with a null id, source or text, by source ("null" for a null source). */
  private final TreeMap<String, Long> nullRows = new TreeMap<>();

  /** XOR over documents of {@link Fingerprint#of}: the same for the same documents in any order. */
  private long fingerprint;

  /**
   * Task time, summed over tasks: encoding only; tokenize tasks; packing and writing; pack tasks.
   */
  final long[] nanos = new long[4];

  SourceCounts source(String split, String source) {
    return sources
        .computeIfAbsent(split, s -> new TreeMap<>())
        .computeIfAbsent(source, s -> new SourceCounts());
  }

  void addRows(String split, long rows, long padTokens) {
    long[] values = rowsAndPadding.computeIfAbsent(split, s -> new long[2]);
    values[0] += rows;
    values[1] += padTokens;
  }

  void addNullRow(String source) {
    nullRows.merge(String.valueOf(source), 1L, Long::sum);
  }

  /** Rows with a null id, source or text, by source. */
  Map<String, Long> nullRows() {
    return java.util.Collections.unmodifiableMap(nullRows);
  }

  void addFingerprint(long documentHash) {
    fingerprint ^= documentHash;
  }

  long fingerprint() {
    return fingerprint;
  }

  void add(PackCounts other) {
    other.nullRows.forEach((source, n) -> nullRows.merge(source, n, Long::sum));
    fingerprint ^= other.fingerprint;
    other.sources.forEach(
        (split, bySource) -> bySource.forEach((source, c) -> source(split, source).add(c)));
    other.rowsAndPadding.forEach((split, values) -> addRows(split, values[0], values[1]));
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] += other.nanos[i];
    }
  }

  /** Seconds summed over tasks: {encoding, tokenize tasks, packing and writing, pack tasks}. */
  public double[] taskSeconds() {
    double[] seconds = new double[nanos.length];
    for (int i = 0; i < nanos.length; i++) {
      seconds[i] = nanos[i] / 1e9;
    }
    return seconds;
  }

  /** Split -> source -> counts. */
  public Map<String, Map<String, SourceCounts>> bySplit() {
    Map<String, Map<String, SourceCounts>> view = new TreeMap<>();
    sources.forEach(
        (split, bySource) -> view.put(split, java.util.Collections.unmodifiableMap(bySource)));
    return java.util.Collections.unmodifiableMap(view);
  }

  public long rows(String split) {
    long[] values = rowsAndPadding.get(split);
    return values == null ? 0 : values[0];
  }

  public long padTokens(String split) {
    long[] values = rowsAndPadding.get(split);
    return values == null ? 0 : values[1];
  }

  /** Documents seen (with a non-null id, source and text), over splits and sources. */
  public long documents() {
    return sources.keySet().stream().mapToLong(split -> total(split).documents).sum();
  }

  /** Sum over sources of one split. */
  public SourceCounts total(String split) {
    SourceCounts total = new SourceCounts();
    sources.getOrDefault(split, new TreeMap<>()).values().forEach(total::add);
    return total;
  }

  /** Fails when a split/source has tokens that are neither in rows nor counted as dropped. */
  void checkConservation() {
    sources.forEach(
        (split, bySource) ->
            bySource.forEach(
                (source, c) -> {
                  if (c.tokensMixed != c.tokensInRows + c.tokensDropped) {
                    throw new IllegalStateException(
                        "Token conservation broken for "
                            + split
                            + "/"
                            + source
                            + ": "
                            + c.tokensMixed
                            + " tokens after mixing != "
                            + c.tokensInRows
                            + " in rows + "
                            + c.tokensDropped
                            + " dropped");
                  }
                }));
  }

  /** As written to manifest.json and summary.json: split to its counts. */
  public Map<String, ShardManifest.SplitCounts> toManifest() {
    Map<String, ShardManifest.SplitCounts> map = new TreeMap<>();
    sources.forEach(
        (split, bySource) -> {
          SourceCounts total = total(split);
          Map<String, ShardManifest.SourceCounts> counts = new TreeMap<>();
          bySource.forEach((source, c) -> counts.put(source, c.toManifest()));
          map.put(
              split,
              new ShardManifest.SplitCounts(
                  rows(split), total.tokensInRows, padTokens(split), total.tokensDropped, counts));
        });
    return map;
  }
}
