package org.llamapro.shards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads the JSON commits of a Delta Lake table ({@code _delta_log/NNNNNNNNNNNNNNNNNNNN.json}) to
 * find the data files of one version without Spark. Shard tables keep every JSON commit ({@code
 * delta.enableExpiredLogCleanup=false}), so any version can be replayed.
 */
public final class DeltaLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A data file of a version, with the statistics Delta recorded for it. */
  public record DataFile(String path, long size, long numRecords, JsonNode minValues) {
    /** The minimum of a string column from the file's statistics, or null when not recorded. */
    public String minString(String column) {
      return minValues == null || !minValues.hasNonNull(column)
          ? null
          : minValues.get(column).asText();
    }

    /** The minimum of an int column from the file's statistics, or null when not recorded. */
    public Integer minInt(String column) {
      return minValues == null || !minValues.hasNonNull(column)
          ? null
          : minValues.get(column).asInt();
    }
  }

  /** The files of one version and the user metadata written with that version's commit. */
  public record Snapshot(long version, List<DataFile> files, String userMetadata) {}

  private DeltaLog() {}

  public static boolean isDeltaTable(Configuration conf, String table) {
    try {
      Path log = new Path(table, "_delta_log");
      return log.getFileSystem(conf).exists(log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + table, e);
    }
  }

  /** The latest committed version, or -1 when the directory holds no Delta table. */
  public static long latestVersion(Configuration conf, String table) {
    Path log = new Path(table, "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(conf);
      if (!fs.exists(log)) {
        return -1;
      }
      long latest = -1;
      for (FileStatus status : fs.listStatus(log)) {
        String name = status.getPath().getName();
        if (name.matches("\\d{20}\\.json")) {
          latest = Math.max(latest, Long.parseLong(name.substring(0, 20)));
        }
      }
      return latest;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list Delta log " + log, e);
    }
  }

  /** Replays commits 0..{@code version}. */
  public static Snapshot snapshot(Configuration conf, String table, long version) {
    long latest = latestVersion(conf, table);
    if (latest < 0) {
      throw new IllegalArgumentException("Not a Delta table (no _delta_log): " + table);
    }
    if (version < 0 || version > latest) {
      throw new IllegalArgumentException(
          "Invalid table version: " + version + " (table " + table + " has 0.." + latest + ")");
    }
    Map<String, DataFile> files = new LinkedHashMap<>();
    String userMetadata = null;
    Path log = new Path(table, "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(conf);
      for (long v = 0; v <= version; v++) {
        Path commit = new Path(log, String.format("%020d.json", v));
        if (!fs.exists(commit)) {
          throw new IllegalStateException(
              "Delta log of "
                  + table
                  + " no longer holds commit "
                  + v
                  + "; read version "
                  + version
                  + " with Spark (versionAsOf) instead");
        }
        try (BufferedReader reader =
            new BufferedReader(new InputStreamReader(fs.open(commit), StandardCharsets.UTF_8))) {
          String line;
          while ((line = reader.readLine()) != null) {
            if (line.isBlank()) {
              continue;
            }
            JsonNode action = JSON.readTree(line);
            if (action.has("add")) {
              JsonNode add = action.get("add");
              String path = decode(add.get("path").asText());
              JsonNode stats =
                  add.hasNonNull("stats") ? JSON.readTree(add.get("stats").asText()) : null;
              files.put(
                  path,
                  new DataFile(
                      path,
                      add.path("size").asLong(),
                      stats == null ? -1 : stats.path("numRecords").asLong(-1),
                      stats == null ? null : stats.get("minValues")));
            } else if (action.has("remove")) {
              files.remove(decode(action.get("remove").get("path").asText()));
            } else if (action.has("commitInfo") && v == version) {
              JsonNode info = action.get("commitInfo");
              userMetadata =
                  info.hasNonNull("userMetadata") ? info.get("userMetadata").asText() : null;
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Delta log " + log, e);
    }
    return new Snapshot(version, new ArrayList<>(files.values()), userMetadata);
  }

  private static String decode(String path) {
    // Delta stores paths as URI-encoded strings relative to the table root.
    return URI.create(path).getPath();
  }
}
