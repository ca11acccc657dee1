package org.llamapro.data.stage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.llamapro.shards.HadoopJsonFiles;

/**
 * Table and file I/O for the stages, on any Hadoop file system. Tables are Delta: each write is one
 * atomic commit, so a reader never sees half a table. The data files are plain Parquet.
 */
public final class Tables {
  private final SparkSession spark;

  public Tables(SparkSession spark) {
    this.spark = requireNonNull(spark, "spark is null");
  }

  public Dataset<Row> read(String path) {
    return spark.read().format("delta").load(path);
  }

  /** Writes a new table (one commit). The stage's outputs were deleted before it ran. */
  public void write(Dataset<Row> data, String path) {
    data.write().format("delta").mode(SaveMode.Overwrite).save(path);
  }

  /**
   * Replaces the rows matching {@code predicate} with {@code data} in one commit (creating the
   * table if needed): a re-run of a stage that adds rows to a shared table replaces its own rows.
   */
  public void replaceWhere(Dataset<Row> data, String path, String predicate) {
    if (!exists(path)) {
      write(data, path);
      return;
    }
    data.write()
        .format("delta")
        .mode(SaveMode.Overwrite)
        .option("replaceWhere", predicate)
        .save(path);
  }

  public boolean exists(String path) {
    try {
      Path p = new Path(path);
      return fs(p).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check " + path, e);
    }
  }

  public void delete(String path) {
    try {
      Path p = new Path(path);
      fs(p).delete(p, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path, e);
    }
  }

  /** True when {@code path} is missing or an empty directory. */
  public boolean isMissingOrEmpty(String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = fs(p);
      return !fs.exists(p) || (fs.getFileStatus(p).isDirectory() && fs.listStatus(p).length == 0);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + path, e);
    }
  }

  /** Writes {@code value} as JSON (a record with its own reader), atomically. */
  public void writeJson(String path, Object value) {
    HadoopJsonFiles.write(hadoopConf(), path, value);
  }

  /**
   * Reads a typed JSON file written by {@link #writeJson}, or null when it is absent; a missing or
   * unknown field fails naming the file and the field ({@code what} names the file's kind).
   */
  public <T> T readJson(String path, Class<T> type, String what) {
    return HadoopJsonFiles.readIfExists(hadoopConf(), path, type, what);
  }

  public org.apache.hadoop.conf.Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private FileSystem fs(Path path) throws IOException {
    return path.getFileSystem(hadoopConf());
  }
}
