package org.llamapro.data.pack;

import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.llamapro.data.DocumentColumns;
import org.llamapro.shards.DeltaLog;

/**
 * The input of tokenize and pack: a documents table ({@link DocumentColumns}) on any filesystem.
 */
public final class DocumentsTable {
  private DocumentsTable() {}

  /**
   * Reads a documents table directory: Delta when it has a {@code _delta_log}, else Parquet. Fails
   * naming the missing column when id, source or text is absent; a missing content hash is empty.
   */
  public static Dataset<Row> read(SparkSession spark, String path) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      Path dir = new Path(path);
      if (!dir.getFileSystem(conf).exists(dir)) {
        throw new IllegalArgumentException("Documents table not found: " + path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    }
    Dataset<Row> table =
        DeltaLog.isDeltaTable(conf, path)
            ? spark.read().format("delta").load(path)
            : spark.read().parquet(path);
    for (String column :
        List.of(DocumentColumns.ID, DocumentColumns.SOURCE, DocumentColumns.TEXT)) {
      if (!List.of(table.columns()).contains(column)) {
        throw new IllegalArgumentException(
            "Documents table "
                + path
                + " has no column '"
                + column
                + "' (columns: "
                + String.join(", ", table.columns())
                + "; expected org.llamapro.data.DocumentColumns)");
      }
    }
    if (!List.of(table.columns()).contains(DocumentColumns.CONTENT_HASH)) {
      table = table.withColumn(DocumentColumns.CONTENT_HASH, lit(""));
    }
    return table;
  }
}
