package org.llamapro.data.prepare;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Table and file I/O for the stages, on any Hadoop file system. Tables are Delta: each write is one
 * atomic commit, so a reader never sees half a table. The data files are plain Parquet.
 */
public final class Tables {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

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

  /** Writes JSON to a temporary name, then renames it into place. */
  public void writeJson(String path, Object value) {
    try {
      Path target = new Path(path);
      FileSystem fs = fs(target);
      Path temporary = new Path(target.getParent(), "." + target.getName() + ".tmp");
      try (OutputStream out = fs.create(temporary, true)) {
        JSON.writeValue(out, value);
      }
      fs.delete(target, false);
      if (!fs.rename(temporary, target)) {
        throw new IOException("rename " + temporary + " -> " + target + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path, e);
    }
  }

  /** Reads a JSON object written by {@link #writeJson}, or null when the file is absent. */
  public Map<String, Object> readJson(String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = fs(p);
      if (!fs.exists(p)) {
        return null;
      }
      try (InputStream in = fs.open(p)) {
        return JSON.readValue(in, new TypeReference<Map<String, Object>>() {});
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    }
  }

  private FileSystem fs(Path path) throws IOException {
    return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
  }
}
