package org.llamapro.data.shards;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The shard table: one row per training sequence of exactly {@code seq_len} tokens. Parquet (zstd)
 * under a Delta Lake table; documented in the README ("Shards").
 *
 * <p>{@code input_ids} is a plain {@code array<int>} (Parquet LIST of INT32): pandas/pyarrow,
 * DuckDB and Spark read it as a list of ints with no project code; zstd keeps it near 2 bytes per
 * token, about what a raw uint16 column would take (see BENCHMARKS.md).
 */
public final class ShardSchema {
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

  public static final StructType SCHEMA =
      new StructType()
          .add(SPLIT, DataTypes.StringType, false)
          .add(UNIT, DataTypes.IntegerType, false)
          .add(ROW, DataTypes.LongType, false)
          .add(INPUT_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
          .add(NUM_TOKENS, DataTypes.IntegerType, false)
          .add(DOC_STARTS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
          .add(DOC_SOURCES, DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add(DOC_IDS, DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add(FIRST_CONTINUES, DataTypes.BooleanType, false);

  /** {@link #SCHEMA} as a Delta table stores it: every column and array element nullable. */
  public static final StructType TABLE = nullable(SCHEMA);

  private ShardSchema() {}

  private static StructType nullable(StructType schema) {
    StructType out = new StructType();
    for (StructField field : schema.fields()) {
      DataType type =
          field.dataType() instanceof ArrayType array
              ? DataTypes.createArrayType(array.elementType(), true)
              : field.dataType();
      out = out.add(field.name(), type, true);
    }
    return out;
  }
}
