package org.llamapro.shards;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A pinned version of a shard table, read without Spark: its files (from the Delta log), the build
 * description written with the commit (tokenizer, seq-len, mixture, seed...) and readers over its
 * rows.
 *
 * <pre>{@code
 * ShardTable table = ShardTable.open("out/shards");          // latest version
 * try (ShardReader rows = table.rows("train", seed, rank, worldSize, cursor)) {
 *   while (rows.hasNext()) { ShardRow row = rows.next(); ... rows.cursor() ... }
 * }
 * }</pre>
 */
public final class ShardTable {
  private final String path;
  private final Configuration conf;
  private final long version;
  private final ShardBuild build;
  private final List<ShardFile> files;

  private ShardTable(
      String path, Configuration conf, long version, ShardBuild build, List<ShardFile> files) {
    this.path = path;
    this.conf = conf;
    this.version = version;
    this.build = build;
    this.files = List.copyOf(files);
  }

  /** The latest version of the table at {@code path} (the shards directory or its parent). */
  public static ShardTable open(String path) {
    return open(new Configuration(), path, -1);
  }

  /** Version {@code version} of the table at {@code path}. */
  public static ShardTable open(String path, long version) {
    return open(new Configuration(), path, version);
  }

  /** {@code version < 0} opens the latest version. */
  public static ShardTable open(Configuration conf, String path, long version) {
    requireNonNull(conf, "conf is null");
    requireNonNull(path, "path is null");
    String table = resolve(conf, path);
    long pinned = version < 0 ? DeltaLog.latestVersion(conf, table) : version;
    DeltaLog.Snapshot snapshot = DeltaLog.snapshot(conf, table, pinned);
    ShardBuild build =
        snapshot.userMetadata() == null
            ? null
            : ShardBuild.parse(snapshot.userMetadata(), table + " version " + pinned);
    List<ShardFile> files = new ArrayList<>();
    for (DeltaLog.DataFile file : snapshot.files()) {
      String full = new Path(table, file.path()).toString();
      long[] groups = ParquetShardFile.rowGroupSizes(conf, full);
      String split = file.minString(ShardColumns.SPLIT);
      Integer unit = file.minInt(ShardColumns.UNIT);
      if (split == null || unit == null) {
        ShardRow first = ParquetShardFile.readRowGroup(conf, full, 0).get(0);
        split = first.split();
        unit = first.unit();
      }
      files.add(new ShardFile(full, split, unit, groups));
    }
    files.sort(Comparator.comparing(ShardFile::split).thenComparingInt(ShardFile::unit));
    return new ShardTable(table, conf, pinned, build, files);
  }

  private static String resolve(Configuration conf, String path) {
    if (DeltaLog.isDeltaTable(conf, path)) {
      return path;
    }
    String nested = new Path(path, "shards").toString();
    if (DeltaLog.isDeltaTable(conf, nested)) {
      return nested;
    }
    throw new IllegalArgumentException(
        "Not a shard table: "
            + path
            + " (expected a Delta table directory, or one holding shards/)");
  }

  public String path() {
    return path;
  }

  public long version() {
    return version;
  }

  /** The build description committed with this version (see manifest.json), or null. */
  public ShardBuild build() {
    return build;
  }

  /** Tokens per row. */
  public int seqLen() {
    if (build != null) {
      return build.seqLen();
    }
    return files.isEmpty()
        ? 0
        : ParquetShardFile.readRowGroup(conf, files.get(0).path(), 0).get(0).seqLen();
  }

  /** Splits present in this version, sorted. */
  public List<String> splits() {
    TreeSet<String> splits = new TreeSet<>();
    files.forEach(f -> splits.add(f.split()));
    return List.copyOf(splits);
  }

  /** Files of {@code split} (all files for null), in (split, unit) order. */
  public List<ShardFile> files(String split) {
    return files.stream().filter(f -> split == null || f.split().equals(split)).toList();
  }

  /** Rows of {@code split} (all splits for null). */
  public long rowCount(String split) {
    return files(split).stream().mapToLong(ShardFile::rows).sum();
  }

  /** Every row of {@code split} (all splits for null) in table order: split, unit, row. */
  public ShardReader rows(String split) {
    return new ShardReader(conf, files(split), 0, false, 0, 1, ShardCursor.START, true);
  }

  /**
   * Rank {@code rank}'s share of {@code split} in a seeded order that changes every epoch: the row
   * groups of the split are permuted, then the rows inside each; rank r takes the rows at positions
   * r, r + worldSize, ... so that every rank gets exactly {@code rows / worldSize} rows per epoch
   * (the remainder is skipped). Starts at {@code cursor}.
   */
  public ShardReader rows(String split, long seed, int rank, int worldSize, ShardCursor cursor) {
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException(
          "Invalid rank " + rank + " of world size " + worldSize + " (need 0 <= rank < size)");
    }
    return new ShardReader(
        conf,
        files(split),
        seed,
        true,
        rank,
        worldSize,
        requireNonNull(cursor, "cursor is null"),
        true);
  }

  @Override
  public String toString() {
    return "ShardTable[" + path + " v" + version + ", " + files.size() + " files]";
  }
}
