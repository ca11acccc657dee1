package org.llamapro.shards;

import java.util.List;

/**
 * One packed row: {@code inputIds.length == seq_len}; segment {@code i} spans {@code [docStarts[i],
 * docStarts[i + 1])} (the last one up to {@code numTokens}) and belongs to document {@code
 * docIds[i]} of source {@code docSources[i]}. The model trains on the {@code seq_len - 1}
 * next-token targets of the row.
 */
public record ShardRow(
    String split,
    int unit,
    long row,
    int[] inputIds,
    int numTokens,
    int[] docStarts,
    List<String> docSources,
    List<String> docIds,
    boolean firstContinues) {

  public int seqLen() {
    return inputIds.length;
  }

  public int segments() {
    return docStarts.length;
  }

  /** End offset (exclusive) of segment {@code i}. */
  public int segmentEnd(int i) {
    return i + 1 < docStarts.length ? docStarts[i + 1] : numTokens;
  }

  /** The ids as uint16 values in a {@code short[]} (vocabularies under 65,536 ids). */
  public short[] inputIdsAsShorts() {
    short[] out = new short[inputIds.length];
    for (int i = 0; i < inputIds.length; i++) {
      int id = inputIds[i];
      if (id < 0 || id > 0xFFFF) {
        throw new IllegalStateException(
            "Token id " + id + " at " + i + " does not fit in uint16 (row " + row + ")");
      }
      out[i] = (short) id;
    }
    return out;
  }

  /**
   * The document id of every position ({@code -1} for padding) as a segment index, for attention
   * masks at document boundaries: positions {@code i} and {@code j} may attend iff equal.
   */
  public int[] segmentIndex() {
    int[] index = new int[inputIds.length];
    java.util.Arrays.fill(index, -1);
    for (int s = 0; s < docStarts.length; s++) {
      java.util.Arrays.fill(index, docStarts[s], segmentEnd(s), s);
    }
    return index;
  }
}
