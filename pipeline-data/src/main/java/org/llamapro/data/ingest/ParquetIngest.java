package org.llamapro.data.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.llamapro.data.spark.SerializableHadoopConf;

/**
 * Reads Parquet inputs (The Stack) with Spark: the text column as raw bytes (so invalid UTF-8 is
 * detected, not replaced), every other column into {@code meta} as JSON, and the row index inside
 * its file for the id. Footers are checked first; a file whose footer cannot be read is quarantined
 * instead of failing the job, and rows a damaged file loses are quarantined too.
 */
final class ParquetIngest {
  /** What a footer check found: the file's row count, or why it cannot be read. */
  record Footer(String uri, long rows, String error) implements Serializable {}

  private ParquetIngest() {}

  static List<Footer> checkFooters(
      JavaSparkContext jsc, List<InputFile> files, SerializableHadoopConf conf) {
    if (files.isEmpty()) {
      return List.of();
    }
    return jsc.parallelize(files, Math.min(files.size(), 64))
        .map(
            file -> {
              try (ParquetFileReader reader =
                  ParquetFileReader.open(
                      HadoopInputFile.fromPath(new Path(file.uri()), conf.get()))) {
                return new Footer(file.uri(), reader.getRecordCount(), null);
              } catch (Exception e) {
                return new Footer(file.uri(), -1, e.toString());
              }
            })
        .collect();
  }

  /** The records of readable Parquet files, in the {@link IngestColumns#RECORD} schema. */
  static Dataset<Row> read(SparkSession spark, List<InputFile> files, String textColumn) {
    Map<String, InputFile> byUri = new HashMap<>();
    for (InputFile file : files) {
      byUri.put(key(file.uri()), file);
    }
    Broadcast<Map<String, InputFile>> lookup =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(byUri);
    String[] paths = files.stream().map(InputFile::uri).toArray(String[]::new);
    // Rows a damaged file cannot deliver are counted against its footer afterwards, not lost.
    Dataset<Row> raw = spark.read().option("ignoreCorruptFiles", "true").parquet(paths);
    List<Column> metaColumns = new ArrayList<>();
    boolean hasText = false;
    for (String name : raw.columns()) {
      if (name.equals(textColumn)) {
        hasText = true;
      } else {
        metaColumns.add(col("`" + name + "`"));
      }
    }
    Column text =
        hasText
            ? col("`" + textColumn + "`").cast(DataTypes.BinaryType)
            : lit(null).cast(DataTypes.BinaryType);
    Column meta =
        metaColumns.isEmpty()
            ? lit("{}")
            : to_json(
                struct(metaColumns.toArray(Column[]::new)), Map.of("ignoreNullFields", "false"));
    Dataset<Row> selected =
        raw.select(
            col("_metadata.file_path").as("file_path"),
            col("_metadata.row_index").as("row_index"),
            text.as("text_bytes"),
            meta.as("meta"));
    return selected.mapPartitions(
        (Iterator<Row> rows) -> {
          RecordBuilder builder = new RecordBuilder();
          long[] errorOffset = new long[1];
          Map<String, InputFile> files1 = lookup.value();
          return new Iterator<Row>() {
            @Override
            public boolean hasNext() {
              return rows.hasNext();
            }

            @Override
            public Row next() {
              Row row = rows.next();
              InputFile file = files1.get(key(row.getString(0)));
              if (file == null) {
                throw new IllegalStateException("Parquet row from an unlisted file: " + row.get(0));
              }
              long position = row.getLong(1);
              byte[] bytes = row.isNullAt(2) ? null : (byte[]) row.get(2);
              if (bytes == null) {
                return RecordBuilder.bad(
                    file,
                    position,
                    QuarantineReason.MISSING_TEXT,
                    "column '" + textColumn + "' is null or absent",
                    null);
              }
              String decoded = builder.decode(bytes, bytes.length, errorOffset);
              if (decoded == null) {
                return RecordBuilder.bad(
                    file,
                    position,
                    QuarantineReason.INVALID_UTF8,
                    "invalid UTF-8 at byte " + errorOffset[0] + " of column '" + textColumn + "'",
                    RecordBuilder.sample(bytes, bytes.length));
              }
              return builder.document(file, position, decoded, row.getString(3));
            }
          };
        },
        Encoders.row(IngestColumns.RECORD));
  }

  /** One spelling for a file URI, whether it came from Hadoop's listing or Spark's metadata. */
  static String key(String uri) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      parsed = new Path(uri).toUri(); // Hadoop's unescaped spelling, e.g. a space in a name
    }
    String authority = parsed.getAuthority() == null ? "" : parsed.getAuthority();
    return parsed.getScheme() + "://" + authority + parsed.getPath();
  }
}
