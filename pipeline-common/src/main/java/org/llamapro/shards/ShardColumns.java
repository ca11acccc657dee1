package org.llamapro.shards;

/**
 * The shard table's columns: one row per training sequence of exactly {@code seq_len} tokens,
 * Parquet (zstd) under a Delta Lake table. The layout is documented in {@code docs/formats.md}.
 */
public final class ShardColumns {
  /** The {@link #SPLIT} value of training rows. */
  public static final String TRAIN = "train";

  /** The {@link #SPLIT} value of held-out rows. */
  public static final String VALIDATION = "validation";

  /** {@code train} or {@code validation}. */
  public static final String SPLIT = "split";

  /** Packing unit the row was cut from (rows of one unit are consecutive documents). */
  public static final String UNIT = "unit";

  /** Index of the row within its unit: (split, unit, row) is unique and stable across reruns. */
  public static final String ROW = "row";

  /** Exactly seq_len token ids. */
  public static final String INPUT_IDS = "input_ids";

  /** Real tokens in the row: seq_len, or less in a padded last row (the rest is pad_id). */
  public static final String NUM_TOKENS = "num_tokens";

  /** Start offset within the row of each segment (the part of one document inside this row). */
  public static final String DOC_STARTS = "doc_starts";

  /** Source of each segment. */
  public static final String DOC_SOURCES = "doc_sources";

  /** Document id of each segment. */
  public static final String DOC_IDS = "doc_ids";

  /** Whether the first segment continues the last document of the previous row of the unit. */
  public static final String FIRST_CONTINUES = "first_continues";

  private ShardColumns() {}
}
