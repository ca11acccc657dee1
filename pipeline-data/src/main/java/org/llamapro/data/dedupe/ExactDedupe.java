package org.llamapro.data.dedupe;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Exact duplicates: documents with the same hash of normalised text, across all sources. A document
 * whose hash is in the reference index is removed in favour of the reference document; otherwise
 * the keep policy picks one per hash.
 */
final class ExactDedupe {
  private ExactDedupe() {}

  /**
   * @param keys {@link DedupeFunctions#KEYS} rows
   * @param reference (id, norm_hash) rows of reference indexes, or null
   * @return audit rows of the removed documents
   */
  static Dataset<Row> removed(Dataset<Row> keys, Dataset<Row> reference, KeepPolicy policy) {
    Column component = concat(lit("exact:"), col("norm_hash"));
    Dataset<Row> pool = keys;
    Dataset<Row> audit = null;
    if (reference != null) {
      Dataset<Row> referenceByHash =
          reference.groupBy("norm_hash").agg(min("id").as("reference_id"));
      Dataset<Row> matched = keys.join(referenceByHash, "norm_hash");
      audit =
          AuditRows.select(
              matched,
              col("id"),
              col("source"),
              AuditColumns.EXACT,
              col("reference_id"),
              lit(1.0),
              component,
              AuditRows.none(),
              AuditRows.none(),
              lit("kept document is in the reference index"));
      pool = keys.join(referenceByHash.select("norm_hash"), "norm_hash", "left_anti");
    }
    WindowSpec byHash =
        Window.partitionBy("norm_hash").orderBy(policy.sortColumns("id").toArray(Column[]::new));
    Dataset<Row> ranked =
        pool.withColumn("rank", row_number().over(byHash))
            .withColumn("keeper", first("id").over(byHash));
    Dataset<Row> local =
        AuditRows.select(
            ranked.filter(col("rank").gt(1)),
            col("id"),
            col("source"),
            AuditColumns.EXACT,
            col("keeper"),
            lit(1.0),
            component,
            AuditRows.none(),
            AuditRows.none(),
            AuditRows.none());
    return audit == null ? local : audit.unionByName(local);
  }
}
