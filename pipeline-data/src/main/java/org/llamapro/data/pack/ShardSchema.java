package org.llamapro.data.pack;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.llamapro.shards.ShardColumns;

/**
 * The shard table's Spark schema ({@link ShardColumns} names the columns): one row per training
 * sequence of exactly {@code seq_len} tokens. Parquet (zstd) under a Delta Lake table; documented
 * in docs/formats.md.
 *
 * <p>{@code input_ids} is a plain {@code array<int>} (Parquet LIST of INT32): pandas/pyarrow,
 * DuckDB and Spark read it as a list of ints with no project code; zstd keeps it near 2 bytes per
 * token, about what a raw uint16 column would take (see BENCHMARKS.md).
 */
public final class ShardSchema {
  public static final String SPLIT = ShardColumns.SPLIT;
  public static final String UNIT = ShardColumns.UNIT;
  public static final String ROW = ShardColumns.ROW;
  public static final String INPUT_IDS = ShardColumns.INPUT_IDS;
  public static final String NUM_TOKENS = ShardColumns.NUM_TOKENS;
  public static final String DOC_STARTS = ShardColumns.DOC_STARTS;
  public static final String DOC_SOURCES = ShardColumns.DOC_SOURCES;
  public static final String DOC_IDS = ShardColumns.DOC_IDS;
  public static final String FIRST_CONTINUES = ShardColumns.FIRST_CONTINUES;

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
