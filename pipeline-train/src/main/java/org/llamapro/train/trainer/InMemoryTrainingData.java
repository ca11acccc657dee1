package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.SplittableRandom;

/** Rows held in memory, in the same seeded, strided order as the shard reader (tests, benches). */
public final class InMemoryTrainingData implements TrainingData {
  private final Description description;
  private final List<TrainingRow> train;
  private final List<TrainingRow> validation;

  public InMemoryTrainingData(
      Description description, List<TrainingRow> train, List<TrainingRow> validation) {
    this.description = requireNonNull(description, "description is null");
    this.train = List.copyOf(train);
    this.validation = List.copyOf(validation);
    for (TrainingRow row : train) {
      if (row.tokens().length != description.seqLen()) {
        throw new IllegalArgumentException(
            "Row of " + row.tokens().length + " tokens in data of seq-len " + description.seqLen());
      }
    }
  }

  @Override
  public Description description() {
    return description;
  }

  @Override
  public RowStream trainRows(long seed, int rank, int worldSize, DataCursor start) {
    long perRank = train.size() / worldSize;
    if (perRank == 0) {
      throw new IllegalArgumentException(
          "The training split has "
              + train.size()
              + " rows, fewer than the "
              + worldSize
              + " workers");
    }
    return new RowStream() {
      private DataCursor cursor = start;
      private long orderEpoch = -1;
      private int[] order;

      @Override
      public TrainingRow next() {
        if (cursor.step() >= perRank) {
          cursor = new DataCursor(cursor.epoch() + 1, 0);
        }
        if (orderEpoch != cursor.epoch()) {
          order = permutation(train.size(), seed, cursor.epoch());
          orderEpoch = cursor.epoch();
        }
        TrainingRow row = train.get(order[(int) (cursor.step() * worldSize + rank)]);
        cursor = new DataCursor(cursor.epoch(), cursor.step() + 1);
        return row;
      }

      @Override
      public DataCursor cursor() {
        return cursor;
      }

      @Override
      public void close() {}
    };
  }

  static int[] permutation(int n, long seed, long epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  @Override
  public List<TrainingRow> validationRows(int maxRows) {
    return validation.subList(0, Math.min(maxRows, validation.size()));
  }

  @Override
  public void close() {}
}
