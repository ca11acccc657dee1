package org.llamapro.data.pack;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.llamapro.shards.DeltaLog;
import org.llamapro.shards.ShardBuild;

/**
 * What the shards were built from, as recorded in manifest.json: the documents table's path and
 * Delta version (or, for plain Parquet, its file count and bytes). The stage adds an
 * order-independent fingerprint of the documents' ids and content hashes.
 */
public final class InputSnapshot {
  private InputSnapshot() {}

  /** Describes a documents table directory: Delta (path, version) or Parquet (files, bytes). */
  public static ShardBuild.Input describe(Configuration conf, String path) {
    if (DeltaLog.isDeltaTable(conf, path)) {
      return ShardBuild.Input.delta(path, DeltaLog.latestVersion(conf, path));
    }
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
    return ShardBuild.Input.parquet(path, files, bytes, newest);
  }
}
