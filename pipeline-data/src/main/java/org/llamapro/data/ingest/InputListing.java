package org.llamapro.data.ingest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.llamapro.config.ConfigException;

/**
 * Lists the files of one source on the driver, recursively and sorted by relative path so that the
 * order (and everything derived from it) is the same on every run. Hidden files and folders ({@code
 * .x}, {@code _x}, as Spark treats them) are skipped; files of other types are reported.
 */
final class InputListing {
  /** The readable files of a source, and the names of files ingest does not read. */
  record Listing(List<InputFile> files, List<String> ignored) {}

  private InputListing() {}

  static Listing list(String source, String root, Configuration conf) {
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(conf);
      FileStatus rootStatus;
      try {
        rootStatus = fs.getFileStatus(rootPath);
      } catch (FileNotFoundException e) {
        throw new ConfigException("Input for source '" + source + "' not found: " + root, e);
      }
      Path qualifiedRoot = rootStatus.getPath();
      List<InputFile> files = new ArrayList<>();
      List<String> ignored = new ArrayList<>();
      if (rootStatus.isFile()) {
        add(source, rootStatus, qualifiedRoot.getName(), files, ignored);
      } else {
        String rootText = qualifiedRoot.toUri().getPath();
        String prefix = rootText.endsWith("/") ? rootText : rootText + "/";
        RemoteIterator<LocatedFileStatus> iterator = fs.listFiles(qualifiedRoot, true);
        while (iterator.hasNext()) {
          LocatedFileStatus status = iterator.next();
          String path = status.getPath().toUri().getPath();
          if (!path.startsWith(prefix)) {
            throw new IllegalStateException("Listed file " + path + " is not under " + prefix);
          }
          String relative = path.substring(prefix.length());
          if (!isHidden(relative)) {
            add(source, status, relative, files, ignored);
          }
        }
      }
      files.sort(Comparator.comparing(InputFile::relativePath));
      ignored.sort(Comparator.naturalOrder());
      return new Listing(List.copyOf(files), List.copyOf(ignored));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list input for source '" + source + "': " + root, e);
    }
  }

  private static void add(
      String source,
      FileStatus status,
      String relative,
      List<InputFile> files,
      List<String> ignored) {
    if (InputFile.formatOf(relative) == null) {
      ignored.add(status.getPath().toString());
      return;
    }
    files.add(
        new InputFile(
            source,
            status.getPath().toString(),
            relative,
            status.getLen(),
            status.getModificationTime()));
  }

  private static boolean isHidden(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith(".") || part.startsWith("_")) {
        return true;
      }
    }
    return false;
  }
}
