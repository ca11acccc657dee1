package org.llamapro.data.pack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.llamapro.shards.DeltaLog;

/**
 * What the shards were built from, as recorded in manifest.json: the documents table's path and
 * Delta version (or, for plain Parquet, its file count and bytes). The stage adds an
 * order-independent fingerprint of the documents' ids and content hashes.
 */
public final class InputSnapshot {
  private final Map<String, Object> fields;

  private InputSnapshot(Map<String, Object> fields) {
    this.fields = Map.copyOf(fields);
  }

  /** A free-form description, e.g. from {@code data prepare}. */
  public static InputSnapshot of(Map<String, Object> fields) {
    return new InputSnapshot(new LinkedHashMap<>(fields));
  }

  /** Describes a documents table directory: Delta (path, version) or Parquet (files, bytes). */
  public static InputSnapshot describe(Configuration conf, String path) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("path", path);
    if (DeltaLog.isDeltaTable(conf, path)) {
      fields.put("format", "delta");
      fields.put("version", DeltaLog.latestVersion(conf, path));
      return new InputSnapshot(fields);
    }
    fields.put("format", "parquet");
    long files = 0;
    long bytes = 0;
    long newest = 0;
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(conf);
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        FileStatus status = it.next();
        if (status.getPath().getName().endsWith(".parquet")) {
          files++;
          bytes += status.getLen();
          newest = Math.max(newest, status.getModificationTime());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list documents table " + path, e);
    }
    fields.put("files", files);
    fields.put("bytes", bytes);
    fields.put("newest_file_millis", newest);
    return new InputSnapshot(fields);
  }

  InputSnapshot with(String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(fields);
    copy.put(key, value);
    return new InputSnapshot(copy);
  }

  public Map<String, Object> fields() {
    return fields;
  }
}
