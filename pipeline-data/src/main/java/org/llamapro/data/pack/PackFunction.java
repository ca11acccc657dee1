package org.llamapro.data.pack;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.util.CollectionAccumulator;
import scala.Tuple2;

/** Executor side of pack: one partition is one unit, its copies already in seeded order. */
final class PackFunction
    implements Function2<Integer, Iterator<Tuple2<PackKey, PackDoc>>, Iterator<ShardRowBean>> {
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
  public Iterator<ShardRowBean> call(Integer partition, Iterator<Tuple2<PackKey, PackDoc>> copies) {
    PackCounts counts = new PackCounts();
    ArrayDeque<ShardRowBean> pending = new ArrayDeque<>();
    RowPacker packer =
        new RowPacker(
            layout.splitOf(partition),
            layout.unitOf(partition),
            options.seqLen(),
            options.bos(),
            options.tail(),
            options.padId(),
            counts,
            row -> pending.add(ShardRowBean.of(row)));
    long started = System.nanoTime();
    return new Iterator<>() {
      private boolean finished;

      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && copies.hasNext()) {
          Tuple2<PackKey, PackDoc> next = copies.next();
          long t0 = System.nanoTime();
          packer.add(next._1().id(), next._2().source(), next._2().ids());
          counts.nanos[2] += System.nanoTime() - t0;
        }
        if (pending.isEmpty() && !finished) {
          finished = true;
          packer.finish();
          counts.nanos[3] += System.nanoTime() - started;
          reports.add(new TaskCounts("pack-" + partition, counts));
        }
        return !pending.isEmpty();
      }

      @Override
      public ShardRowBean next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return pending.poll();
      }
    };
  }
}
