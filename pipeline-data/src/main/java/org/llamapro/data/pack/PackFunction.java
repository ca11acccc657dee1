package org.llamapro.data.pack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.util.CollectionAccumulator;
import org.llamapro.data.spark.SerializableHadoopConf;
import org.llamapro.shards.ShardRow;
import scala.Tuple2;

/**
 * Executor side of pack: one partition is one unit, reading its buckets in position order (each
 * bucket sorted by seeded position) and keeping its own copies. The unit's rows go straight into
 * one Parquet file in the table directory; the driver commits the files.
 */
final class PackFunction
    implements Function2<Integer, Iterator<Tuple2<PackKey, PackDoc>>, Iterator<WrittenShard>> {
  private static final long serialVersionUID = 1L;

  private final PackOptions options;
  private final UnitLayout layout;
  private final CollectionAccumulator<TaskCounts> reports;
  private final String tablePath;
  private final String runId;
  private final SerializableHadoopConf conf;

  PackFunction(
      PackOptions options,
      UnitLayout layout,
      CollectionAccumulator<TaskCounts> reports,
      String tablePath,
      String runId,
      SerializableHadoopConf conf) {
    this.options = options;
    this.layout = layout;
    this.reports = reports;
    this.tablePath = tablePath;
    this.runId = runId;
    this.conf = conf;
  }

  /** File names of one run: {@code part-<unit partition>-<run id>-a<attempt>.zstd.parquet}. */
  static String fileName(int partition, String runId, int attempt) {
    return String.format("part-%05d-%s-a%d.zstd.parquet", partition, runId, attempt);
  }

  /** A glob for every file of one run. */
  static String runFiles(String runId) {
    return "part-*-" + runId + "-a*.zstd.parquet";
  }

  @Override
  public Iterator<WrittenShard> call(Integer partition, Iterator<Tuple2<PackKey, PackDoc>> copies)
      throws IOException {
    long started = System.nanoTime();
    int attempt = TaskContext.get() == null ? 0 : TaskContext.get().attemptNumber();
    Path target = new Path(tablePath, fileName(partition, runId, attempt));
    PackCounts counts = new PackCounts();
    UnitFile file = new UnitFile(target, layout.splitOf(partition), layout.unitOf(partition));
    RowPacker packer =
        new RowPacker(
            layout.splitOf(partition),
            layout.unitOf(partition),
            options.seqLen(),
            options.bos(),
            options.tail(),
            options.padId(),
            counts,
            file::write);
    try {
      while (copies.hasNext()) {
        Tuple2<PackKey, PackDoc> next = copies.next();
        if (!layout.holds(partition, next._1().order())) {
          continue; // A boundary bucket's copy that belongs to the neighbouring unit.
        }
        long t0 = System.nanoTime();
        packer.add(next._1().id(), next._2().source(), next._2().ids());
        counts.nanos[2] += System.nanoTime() - t0;
      }
      packer.finish();
      WrittenShard written = file.finish();
      counts.nanos[3] += System.nanoTime() - started;
      reports.add(new TaskCounts("pack-" + partition, counts));
      return written == null
          ? Collections.emptyIterator()
          : List.<WrittenShard>of(written).iterator();
    } catch (RuntimeException | IOException e) {
      file.abandon();
      throw e;
    }
  }

  /** The unit's file, opened on its first row (an empty unit writes none), and its statistics. */
  private final class UnitFile {
    private final Path path;
    private final String split;
    private final int unit;
    private ParquetShardWriter writer;
    private long firstRow = Long.MAX_VALUE;
    private long lastRow = Long.MIN_VALUE;
    private int minTokens = Integer.MAX_VALUE;
    private int maxTokens = Integer.MIN_VALUE;

    UnitFile(Path path, String split, int unit) {
      this.path = path;
      this.split = split;
      this.unit = unit;
    }

    void write(ShardRow row) {
      try {
        if (writer == null) {
          writer = new ParquetShardWriter(conf.get(), path.toString(), options.rowGroupBytes());
        }
        writer.write(row);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write shard file " + path, e);
      }
      firstRow = Math.min(firstRow, row.row());
      lastRow = Math.max(lastRow, row.row());
      minTokens = Math.min(minTokens, row.numTokens());
      maxTokens = Math.max(maxTokens, row.numTokens());
    }

    WrittenShard finish() throws IOException {
      if (writer == null) {
        return null;
      }
      writer.finish();
      FileStatus status = path.getFileSystem(conf.get()).getFileStatus(path);
      return new WrittenShard(
          path.getName(),
          status.getLen(),
          status.getModificationTime(),
          split,
          unit,
          writer.rows(),
          firstRow,
          lastRow,
          minTokens,
          maxTokens);
    }

    /** Best effort: a failed attempt leaves no partial file behind. */
    void abandon() {
      if (writer == null) {
        return;
      }
      try {
        writer.close();
        FileSystem fs = path.getFileSystem(conf.get());
        fs.delete(path, false);
      } catch (IOException | RuntimeException ignored) {
        // The file is not in the table either way; the driver also deletes this run's files.
      }
    }
  }
}
