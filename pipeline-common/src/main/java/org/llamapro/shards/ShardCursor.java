package org.llamapro.shards;

import java.io.Serializable;

/**
 * Where a rank is in its stream of shard rows: the epoch and how many rows of that epoch it has
 * taken. Saved in training checkpoints (as {@link #toString()}) and given back to {@link
 * ShardTable#rows(String, long, int, int, ShardCursor)} to resume exactly after the last row.
 */
public record ShardCursor(long epoch, long step) implements Serializable {
  public static final ShardCursor START = new ShardCursor(0, 0);

  public ShardCursor {
    if (epoch < 0 || step < 0) {
      throw new IllegalArgumentException(
          "Invalid shard cursor: epoch " + epoch + ", step " + step + " (must be >= 0)");
    }
  }

  /** Parses {@code epoch:step}, as written by {@link #toString()}. */
  public static ShardCursor parse(String text) {
    String[] parts = text.trim().split(":");
    try {
      if (parts.length == 2) {
        return new ShardCursor(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "Invalid shard cursor: '" + text + "' (expected epoch:step, e.g. 0:1200)");
  }

  public ShardCursor next() {
    return new ShardCursor(epoch, step + 1);
  }

  public ShardCursor nextEpoch() {
    return new ShardCursor(epoch + 1, 0);
  }

  @Override
  public String toString() {
    return epoch + ":" + step;
  }
}
