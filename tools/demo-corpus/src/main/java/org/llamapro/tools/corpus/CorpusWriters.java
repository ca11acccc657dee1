package org.llamapro.tools.corpus;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.llamapro.io.AtomicFiles;

/**
 * Writes the corpus files: jsonl.zst with zstd-jni, the Stack file with Spark's Parquet writer.
 * Every file is written beside its final name and moved into place, and the bytes depend only on
 * the documents (fixed compression level, one Parquet part renamed, no checksum files kept).
 */
final class CorpusWriters {
  /** zstd level: small files for the repository, still fast to write. */
  static final int ZSTD_LEVEL = 19;

  /** The Stack columns the pipeline reads, in The Stack's names and types. */
  static final StructType STACK_SCHEMA =
      new StructType()
          .add("content", DataTypes.StringType, true)
          .add("hexsha", DataTypes.StringType, true)
          .add("size", DataTypes.LongType, true)
          .add("ext", DataTypes.StringType, true)
          .add("lang", DataTypes.StringType, true)
          .add("max_stars_repo_path", DataTypes.StringType, true)
          .add("max_stars_repo_name", DataTypes.StringType, true)
          .add("max_stars_count", DataTypes.LongType, true)
          .add(
              "max_stars_repo_licenses",
              DataTypes.createArrayType(DataTypes.StringType, true),
              true)
          .add("avg_line_length", DataTypes.DoubleType, true)
          .add("max_line_length", DataTypes.LongType, true)
          .add("alphanum_fraction", DataTypes.DoubleType, true);

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  private CorpusWriters() {}

  /** Closing the zstd stream ends its frame; AtomicFiles closes the file after forcing it. */
  private static final class KeepOpen extends java.io.FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      out.write(bytes, offset, length);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  static void writeJsonlZst(CorpusFile file, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    AtomicFiles.write(
        target,
        raw -> {
          try (OutputStream out = new ZstdOutputStream(new KeepOpen(raw), ZSTD_LEVEL)) {
            for (CorpusDoc doc : file.docs()) {
              JsonDoc jsonDoc = (JsonDoc) doc;
              Map<String, Object> line = new LinkedHashMap<>();
              line.put("text", jsonDoc.text());
              line.put("meta", jsonDoc.meta());
              out.write(JSON.writeValueAsString(line).getBytes(StandardCharsets.UTF_8));
              out.write('\n');
            }
          }
        });
  }

  static void writeStackParquet(SparkSession spark, CorpusFile file, Path target)
      throws IOException {
    List<Row> rows = new ArrayList<>();
    for (CorpusDoc doc : file.docs()) {
      StackRow r = (StackRow) doc;
      rows.add(
          RowFactory.create(
              r.content(),
              r.hexsha(),
              r.size(),
              r.ext(),
              r.lang(),
              r.maxStarsRepoPath(),
              r.maxStarsRepoName(),
              r.maxStarsCount(),
              r.maxStarsRepoLicenses(),
              r.avgLineLength(),
              r.maxLineLength(),
              r.alphanumFraction()));
    }
    Files.createDirectories(target.getParent());
    Path temp = target.resolveSibling(target.getFileName() + ".spark-tmp");
    deleteRecursively(temp);
    Dataset<Row> frame = spark.createDataFrame(rows, STACK_SCHEMA);
    // One partition keeps the row order and gives one part file.
    frame
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .option("compression", "zstd")
        .parquet(temp.toUri().toString());
    Path part;
    try (Stream<Path> list = Files.list(temp)) {
      List<Path> parts =
          list.filter(p -> p.getFileName().toString().startsWith("part-"))
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .toList();
      if (parts.size() != 1) {
        throw new IllegalStateException("Expected one Parquet part in " + temp + ", got " + parts);
      }
      part = parts.get(0);
    }
    ParquetFooters.sortEncodings(part);
    AtomicFiles.moveReplacing(part, target);
    deleteRecursively(temp);
  }

  static void writeJson(Object value, Path target) throws IOException {
    AtomicFiles.writeString(
        target, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n");
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted((a, b) -> b.getNameCount() - a.getNameCount())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException("Cannot delete " + p, e);
                }
              });
    }
  }
}
