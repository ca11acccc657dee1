package org.llamapro.data.pack;

import org.apache.spark.Partitioner;

/** Sends each document copy to the shuffle partition of its bucket ({@link Buckets}). */
final class BucketPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;

  private final int partitions;

  BucketPartitioner(Buckets buckets) {
    this.partitions = buckets.partitions();
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
    return other instanceof BucketPartitioner that && that.partitions == partitions;
  }

  @Override
  public int hashCode() {
    return partitions;
  }
}
