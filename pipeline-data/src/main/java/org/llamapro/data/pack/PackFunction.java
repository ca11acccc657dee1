package org.llamapro.data.pack;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.llamapro.data.shards.ShardRow;
import scala.Tuple2;

/** Executor side of pack: one partition is one unit, its copies already in seeded order. */
final class PackFunction
    implements Function2<Integer, Iterator<Tuple2<PackKey, PackDoc>>, Iterator<Row>> {
  private static final long serialVersionUID = 1L;

  private final PackOptions options;
  private final UnitLayout layout;
  private final CollectionAccumulator<TaskCounts> reports;

  PackFunction(PackOptions options, UnitLayout layout, CollectionAccumulator<TaskCounts> reports) {
    this.options = options;
    this.layout = layout;
    this.reports = reports;
  }

  @Override
  public Iterator<Row> call(Integer partition, Iterator<Tuple2<PackKey, PackDoc>> copies) {
    PackCounts counts = new PackCounts();
    ArrayDeque<Row> pending = new ArrayDeque<>();
    RowPacker packer =
        new RowPacker(
            layout.splitOf(partition),
            layout.unitOf(partition),
            options.seqLen(),
            options.bos(),
            options.tail(),
            options.padId(),
            counts,
            row -> pending.add(toSparkRow(row)));
    return new Iterator<>() {
      private boolean finished;

      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && copies.hasNext()) {
          Tuple2<PackKey, PackDoc> next = copies.next();
          packer.add(next._1().id(), next._2().source(), next._2().ids());
        }
        if (pending.isEmpty() && !finished) {
          finished = true;
          packer.finish();
          reports.add(new TaskCounts("pack-" + partition, counts));
        }
        return !pending.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return pending.poll();
      }
    };
  }

  private static Row toSparkRow(ShardRow row) {
    return RowFactory.create(
        row.split(),
        row.unit(),
        row.row(),
        row.inputIds(),
        row.numTokens(),
        row.docStarts(),
        row.docSources().toArray(new String[0]),
        row.docIds().toArray(new String[0]),
        row.firstContinues());
  }
}
