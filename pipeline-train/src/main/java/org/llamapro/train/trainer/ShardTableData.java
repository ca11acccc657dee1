package org.llamapro.train.trainer;

import java.util.ArrayList;
import java.util.List;
import org.llamapro.shards.ShardBuild;
import org.llamapro.shards.ShardColumns;
import org.llamapro.shards.ShardCursor;
import org.llamapro.shards.ShardReader;
import org.llamapro.shards.ShardRow;
import org.llamapro.shards.ShardTable;

/**
 * A pinned version of the packed shard table ({@code pipeline pack} output): the {@code train}
 * split in the reader's seeded order, the {@code validation} split for held-out loss.
 */
public final class ShardTableData implements TrainingData {
  private final ShardTable table;
  private final Description description;

  private ShardTableData(ShardTable table, Description description) {
    this.table = table;
    this.description = description;
  }

  /**
   * Opens the table under {@code path} (the pack output directory or its {@code shards/}) at {@code
   * version}, or its latest version when {@code version < 0}.
   */
  public static ShardTableData open(String path, long version) {
    ShardTable table = ShardTable.open(path, version);
    ShardBuild build = table.build();
    if (build == null || build.tokenizer() == null || build.tokenizer().sha256() == null) {
      throw new IllegalArgumentException(
          "Shard table "
              + table.path()
              + " version "
              + table.version()
              + " has no build description with the tokenizer's SHA-256; it was not written by"
              + " 'pipeline pack'");
    }
    ShardBuild.Tokenizer tokenizer = build.tokenizer();
    Description description =
        new Description(
            table.path(),
            Long.toString(table.version()),
            table.seqLen(),
            tokenizer.sha256(),
            tokenizer.vocabSize());
    if (table.rowCount(ShardColumns.TRAIN) == 0) {
      throw new IllegalArgumentException(
          "Shard table " + table.path() + " version " + table.version() + " has no train rows");
    }
    return new ShardTableData(table, description);
  }

  @Override
  public Description description() {
    return description;
  }

  @Override
  public RowStream trainRows(long seed, int rank, int worldSize, DataCursor start) {
    return new RowStream() {
      private ShardReader reader =
          table.rows(
              ShardColumns.TRAIN,
              seed,
              rank,
              worldSize,
              new ShardCursor(start.epoch(), start.step()));

      {
        if (reader.rowsPerRank() == 0) {
          reader.close();
          throw new IllegalArgumentException(
              "Shard table "
                  + table.path()
                  + " has "
                  + table.rowCount(ShardColumns.TRAIN)
                  + " train rows, fewer than the "
                  + worldSize
                  + " workers");
        }
      }

      @Override
      public TrainingRow next() {
        if (!reader.hasNext()) {
          ShardCursor next = reader.cursor().nextEpoch();
          reader.close();
          reader = table.rows(ShardColumns.TRAIN, seed, rank, worldSize, next);
        }
        return convert(reader.next());
      }

      @Override
      public DataCursor cursor() {
        ShardCursor c = reader.cursor();
        return new DataCursor(c.epoch(), c.step());
      }

      @Override
      public void close() {
        reader.close();
      }
    };
  }

  @Override
  public List<TrainingRow> validationRows(int maxRows) {
    List<TrainingRow> rows = new ArrayList<>();
    if (!table.splits().contains(ShardColumns.VALIDATION)) {
      return rows;
    }
    try (ShardReader reader = table.rows(ShardColumns.VALIDATION)) {
      while (reader.hasNext() && rows.size() < maxRows) {
        rows.add(convert(reader.next()));
      }
    }
    return rows;
  }

  static TrainingRow convert(ShardRow row) {
    return new TrainingRow(row.inputIds(), row.docStarts(), Math.max(1, row.numTokens()));
  }

  @Override
  public void close() {}
}
