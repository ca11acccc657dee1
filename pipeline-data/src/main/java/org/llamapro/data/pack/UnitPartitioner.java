package org.llamapro.data.pack;

import org.apache.spark.Partitioner;

/** Sends each document copy to the partition of its packing unit (one partition per unit). */
final class UnitPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;

  private final int partitions;

  UnitPartitioner(int partitions) {
    this.partitions = partitions;
  }

  @Override
  public int numPartitions() {
    return partitions;
  }

  @Override
  public int getPartition(Object key) {
    return ((PackKey) key).partition();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof UnitPartitioner that && that.partitions == partitions;
  }

  @Override
  public int hashCode() {
    return partitions;
  }
}
