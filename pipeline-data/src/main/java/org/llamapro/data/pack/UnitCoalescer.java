package org.llamapro.data.pack;

import java.io.Serializable;
import org.apache.spark.Partition;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import scala.Option;

/**
 * Groups the shuffle's bucket partitions into one pack partition per unit: the buckets of {@link
 * UnitLayout#bucketsOf}, in order. A bucket at a unit boundary is read by both units.
 */
final class UnitCoalescer implements PartitionCoalescer, Serializable {
  private static final long serialVersionUID = 1L;

  private final UnitLayout layout;

  UnitCoalescer(UnitLayout layout) {
    this.layout = layout;
  }

  @Override
  public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
    Partition[] buckets = parent.partitions();
    if (buckets.length != layout.buckets().partitions()) {
      throw new IllegalStateException(
          "Shuffle has " + buckets.length + " partitions, layout expects " + layout.buckets());
    }
    PartitionGroup[] groups = new PartitionGroup[layout.partitions()];
    for (int p = 0; p < groups.length; p++) {
      groups[p] = new PartitionGroup(Option.empty());
      for (int bucket : layout.bucketsOf(p)) {
        groups[p].partitions().addOne(buckets[bucket]);
      }
    }
    return groups;
  }
}
