package org.llamapro.shards;

/** One Parquet file of a shard table version: the rows of one packing unit of one split. */
public record ShardFile(String path, String split, int unit, long[] rowGroupSizes) {
  public long rows() {
    long total = 0;
    for (long n : rowGroupSizes) {
      total += n;
    }
    return total;
  }
}
