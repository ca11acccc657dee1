package org.llamapro.train.trainer;

import java.util.List;

/**
 * The rows a run trains and validates on: a pinned version of a packed shard table (or, in tests,
 * rows in memory).
 */
public interface TrainingData extends AutoCloseable {
  /** Facts a run checks against the model and records: what was packed, with which tokenizer. */
  record Description(
      String location, String version, int seqLen, String tokenizerSha256, int vocabSize) {}

  Description description();

  /**
   * Worker {@code rank}'s share of the training rows in an order fixed by {@code seed} (new every
   * epoch), from {@code start}: worker r of W takes positions r, r + W, ... of the epoch's order.
   */
  RowStream trainRows(long seed, int rank, int worldSize, DataCursor start);

  /** Up to {@code maxRows} held-out rows, always the same ones. */
  List<TrainingRow> validationRows(int maxRows);

  @Override
  void close();
}
