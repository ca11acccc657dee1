package org.llamapro.shards;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;

/**
 * Streams rows of a pinned shard table one row group at a time (only one is in memory). See {@link
 * ShardTable#rows(String, long, int, int, ShardCursor)} for the order; {@link #cursor()} is the
 * position after the last row returned.
 */
public final class ShardReader implements Iterator<ShardRow>, AutoCloseable {
  private record Block(String path, int group, long rows, int naturalIndex) {}

  private final Configuration conf;
  private final long seed;
  private final boolean shuffled;
  private final boolean withIds;
  private final int rank;
  private final int worldSize;
  private final List<Block> blocks;
  private final long[] blockStart;
  private final long rowsPerRank;
  private ShardCursor cursor;

  private int loadedBlock = -1;
  private List<ShardRow> loadedRows;
  private int[] loadedOrder;

  ShardReader(
      Configuration conf,
      List<ShardFile> files,
      long seed,
      boolean shuffled,
      int rank,
      int worldSize,
      ShardCursor cursor,
      boolean withIds) {
    this.conf = conf;
    this.withIds = withIds;
    this.seed = seed;
    this.shuffled = shuffled;
    this.rank = rank;
    this.worldSize = worldSize;
    List<Block> natural = new ArrayList<>();
    for (ShardFile file : files) {
      for (int g = 0; g < file.rowGroupSizes().length; g++) {
        natural.add(new Block(file.path(), g, file.rowGroupSizes()[g], natural.size()));
      }
    }
    this.blocks = shuffled ? permute(natural, epochSeed(seed, cursor.epoch())) : natural;
    this.blockStart = new long[blocks.size() + 1];
    for (int i = 0; i < blocks.size(); i++) {
      blockStart[i + 1] = blockStart[i] + blocks.get(i).rows();
    }
    this.rowsPerRank = blockStart[blocks.size()] / worldSize;
    if (cursor.step() > rowsPerRank) {
      throw new IllegalArgumentException(
          "Invalid shard cursor " + cursor + ": an epoch has " + rowsPerRank + " rows per rank");
    }
    this.cursor = cursor;
  }

  /** Rows each rank gets per epoch. */
  public long rowsPerRank() {
    return rowsPerRank;
  }

  /** Position after the last row returned; at the end of an epoch, step == rowsPerRank. */
  public ShardCursor cursor() {
    return cursor;
  }

  @Override
  public boolean hasNext() {
    return cursor.step() < rowsPerRank;
  }

  @Override
  public ShardRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException("End of epoch " + cursor.epoch());
    }
    long position = cursor.step() * worldSize + rank;
    int block = findBlock(position);
    if (block != loadedBlock) {
      load(block);
    }
    int offset = (int) (position - blockStart[block]);
    ShardRow row = loadedRows.get(loadedOrder == null ? offset : loadedOrder[offset]);
    cursor = cursor.next();
    return row;
  }

  private int findBlock(long position) {
    int low = 0;
    int high = blocks.size() - 1;
    while (low < high) {
      int mid = (low + high + 1) >>> 1;
      if (blockStart[mid] <= position) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return low;
  }

  private void load(int index) {
    Block block = blocks.get(index);
    loadedRows = ParquetShardFile.readRowGroup(conf, block.path(), block.group(), withIds);
    loadedBlock = index;
    loadedOrder = null;
    if (shuffled) {
      int[] order = new int[loadedRows.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Random random = new Random(epochSeed(seed, cursor.epoch()) * 31 + block.naturalIndex());
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      loadedOrder = order;
    }
  }

  private static long epochSeed(long seed, long epoch) {
    return seed ^ (epoch + 1) * 0x9E3779B97F4A7C15L;
  }

  private static List<Block> permute(List<Block> natural, long seed) {
    List<Block> out = new ArrayList<>(natural);
    // java.util.Random's sequence is specified, so the order is the same on every JVM.
    java.util.Collections.shuffle(out, new Random(seed));
    return out;
  }

  @Override
  public void close() {
    loadedRows = null;
    loadedOrder = null;
  }
}
