package org.llamapro.data.dedupe;

import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/** Builds rows of the {@link AuditColumns#SCHEMA}, column by column. */
public final class AuditRows {
  private AuditRows() {}

  /** Selects the audit columns from expressions given in schema order. */
  public static Dataset<Row> select(
      Dataset<Row> data,
      Column id,
      Column source,
      String reason,
      Column duplicateOf,
      Column similarity,
      Column component,
      Column evalSet,
      Column evalItem,
      Column detail) {
    return data.select(
        id.as(AuditColumns.ID),
        source.as(AuditColumns.SOURCE),
        lit(reason).as(AuditColumns.REASON),
        duplicateOf.cast(DataTypes.StringType).as(AuditColumns.DUPLICATE_OF),
        similarity.cast(DataTypes.DoubleType).as(AuditColumns.SIMILARITY),
        component.cast(DataTypes.StringType).as(AuditColumns.COMPONENT),
        evalSet.cast(DataTypes.StringType).as(AuditColumns.EVAL_SET),
        evalItem.cast(DataTypes.StringType).as(AuditColumns.EVAL_ITEM),
        detail.cast(DataTypes.StringType).as(AuditColumns.DETAIL));
  }

  public static Column none() {
    return lit(null);
  }

  public static Dataset<Row> empty(SparkSession spark) {
    return spark.createDataFrame(java.util.List.of(), AuditColumns.SCHEMA);
  }
}
