package org.llamapro.shards;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.llamapro.io.AtomicFiles;
import org.llamapro.io.InvalidFileException;
import org.llamapro.io.JsonFiles;

/**
 * {@link JsonFiles}' typed, strict JSON files on any Hadoop filesystem (local, HDFS, S3): the data
 * pipeline's outputs ({@code manifest.json}, {@code summary.json}, {@code _progress/}) may live on
 * any of them. Local files are written as plain files (no {@code .crc} side files).
 */
public final class HadoopJsonFiles {
  private HadoopJsonFiles() {}

  /** Reads {@code path} as a {@code type}; {@code what} names the file's kind in errors. */
  public static <T> T read(Configuration conf, String path, Class<T> type, String what) {
    T value = readIfExists(conf, path, type, what);
    if (value == null) {
      throw new InvalidFileException("Missing " + what + ": " + path);
    }
    return value;
  }

  /** Like {@link #read}, but null when the file does not exist. */
  public static <T> T readIfExists(Configuration conf, String path, Class<T> type, String what) {
    requireNonNull(path, "path is null");
    try {
      Path file = new Path(path);
      FileSystem fs = file.getFileSystem(conf);
      if (!fs.exists(file)) {
        return null;
      }
      try (InputStream in = fs.open(file)) {
        return JsonFiles.parse(in, type, path, what);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + what + " " + path + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code value} as JSON to {@code path}, atomically (temporary file, then rename). */
  public static void write(Configuration conf, String path, Object value) {
    byte[] bytes = JsonFiles.toJson(value).getBytes(StandardCharsets.UTF_8);
    try {
      Path file = new Path(path);
      FileSystem fs = file.getFileSystem(conf);
      if (fs instanceof LocalFileSystem local) {
        java.nio.file.Path target = local.pathToFile(file).toPath();
        java.nio.file.Files.createDirectories(target.getParent());
        AtomicFiles.writeBytes(target, bytes);
      } else {
        AtomicFiles.write(fs, file, out -> out.write(bytes));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path + ": " + e.getMessage(), e);
    }
  }
}
