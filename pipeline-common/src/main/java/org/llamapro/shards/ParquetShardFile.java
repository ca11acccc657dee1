package org.llamapro.shards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;

/**
 * Reads one shard Parquet file a row group at a time, column by column (no per-value objects), into
 * {@link ShardRow}s. Uses parquet-mr only: no Spark.
 */
public final class ParquetShardFile {
  private ParquetShardFile() {}

  /** Row counts of the file's row groups, from its footer. */
  public static long[] rowGroupSizes(Configuration conf, String path) {
    try (ParquetFileReader reader =
        ParquetFileReader.open(HadoopInputFile.fromPath(new Path(path), conf))) {
      List<BlockMetaData> groups = reader.getRowGroups();
      long[] sizes = new long[groups.size()];
      for (int i = 0; i < sizes.length; i++) {
        sizes[i] = groups.get(i).getRowCount();
      }
      return sizes;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Parquet footer of shard file " + path, e);
    }
  }

  /** All rows of row group {@code group}, in file order. */
  public static List<ShardRow> readRowGroup(Configuration conf, String path, int group) {
    return readRowGroup(conf, path, group, true);
  }

  /** As above; without {@code withIds} the rows' input_ids are empty (stats need no tokens). */
  public static List<ShardRow> readRowGroup(
      Configuration conf, String path, int group, boolean withIds) {
    try (ParquetFileReader reader =
        ParquetFileReader.open(HadoopInputFile.fromPath(new Path(path), conf))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      PageReadStore pages = reader.readRowGroup(group);
      int rows = (int) pages.getRowCount();
      ColumnReadStoreImpl store =
          new ColumnReadStoreImpl(
              pages, new GroupRecordConverter(schema).getRootConverter(), schema, createdBy);
      String[] split = strings(store, schema, rows, ShardColumns.SPLIT);
      int[] unit = ints(store, schema, rows, ShardColumns.UNIT);
      long[] row = longs(store, schema, rows, ShardColumns.ROW);
      int[][] inputIds =
          withIds ? intLists(store, pages, schema, rows, ShardColumns.INPUT_IDS) : new int[rows][0];
      int[] numTokens = ints(store, schema, rows, ShardColumns.NUM_TOKENS);
      int[][] docStarts = intLists(store, pages, schema, rows, ShardColumns.DOC_STARTS);
      List<List<String>> docSources =
          stringLists(store, pages, schema, rows, ShardColumns.DOC_SOURCES);
      List<List<String>> docIds = stringLists(store, pages, schema, rows, ShardColumns.DOC_IDS);
      boolean[] firstContinues = booleans(store, schema, rows, ShardColumns.FIRST_CONTINUES);
      List<ShardRow> out = new ArrayList<>(rows);
      for (int i = 0; i < rows; i++) {
        out.add(
            new ShardRow(
                split[i],
                unit[i],
                row[i],
                inputIds[i],
                numTokens[i],
                docStarts[i],
                docSources.get(i),
                docIds.get(i),
                firstContinues[i]));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read row group " + group + " of shard file " + path, e);
    }
  }

  private static ColumnReader column(
      ColumnReadStoreImpl store, MessageType schema, String name, boolean list) {
    String[] path = list ? new String[] {name, "list", "element"} : new String[] {name};
    if (!schema.containsPath(path)) {
      throw new IllegalStateException(
          "Shard file has no column " + String.join(".", path) + " (schema: " + schema + ")");
    }
    ColumnDescriptor descriptor = schema.getColumnDescription(path);
    return store.getColumnReader(descriptor);
  }

  private static String[] strings(
      ColumnReadStoreImpl store, MessageType schema, int rows, String name) {
    ColumnReader reader = column(store, schema, name, false);
    String[] out = new String[rows];
    for (int i = 0; i < rows; i++) {
      out[i] = reader.getBinary().toStringUsingUTF8();
      reader.consume();
    }
    return out;
  }

  private static int[] ints(ColumnReadStoreImpl store, MessageType schema, int rows, String name) {
    ColumnReader reader = column(store, schema, name, false);
    int[] out = new int[rows];
    for (int i = 0; i < rows; i++) {
      out[i] = reader.getInteger();
      reader.consume();
    }
    return out;
  }

  private static long[] longs(
      ColumnReadStoreImpl store, MessageType schema, int rows, String name) {
    ColumnReader reader = column(store, schema, name, false);
    long[] out = new long[rows];
    for (int i = 0; i < rows; i++) {
      out[i] = reader.getLong();
      reader.consume();
    }
    return out;
  }

  private static boolean[] booleans(
      ColumnReadStoreImpl store, MessageType schema, int rows, String name) {
    ColumnReader reader = column(store, schema, name, false);
    boolean[] out = new boolean[rows];
    for (int i = 0; i < rows; i++) {
      out[i] = reader.getBoolean();
      reader.consume();
    }
    return out;
  }

  // A list column: repetition level 0 starts a record; a value is present at the maximum
  // definition level (an empty list has one entry below it).
  private static int[][] intLists(
      ColumnReadStoreImpl store, PageReadStore pages, MessageType schema, int rows, String name) {
    ColumnReader reader = column(store, schema, name, true);
    int maxDefinition = reader.getDescriptor().getMaxDefinitionLevel();
    int[][] out = new int[rows][];
    long remaining = pages.getPageReader(reader.getDescriptor()).getTotalValueCount();
    int[] buffer = new int[4096];
    for (int i = 0; i < rows; i++) {
      int n = 0;
      do {
        if (reader.getCurrentDefinitionLevel() == maxDefinition) {
          if (n == buffer.length) {
            buffer = Arrays.copyOf(buffer, n * 2);
          }
          buffer[n++] = reader.getInteger();
        }
        reader.consume();
        remaining--;
      } while (remaining > 0 && reader.getCurrentRepetitionLevel() > 0);
      out[i] = Arrays.copyOf(buffer, n);
    }
    return out;
  }

  private static List<List<String>> stringLists(
      ColumnReadStoreImpl store, PageReadStore pages, MessageType schema, int rows, String name) {
    ColumnReader reader = column(store, schema, name, true);
    int maxDefinition = reader.getDescriptor().getMaxDefinitionLevel();
    List<List<String>> out = new ArrayList<>(rows);
    long remaining = pages.getPageReader(reader.getDescriptor()).getTotalValueCount();
    for (int i = 0; i < rows; i++) {
      List<String> values = new ArrayList<>();
      do {
        if (reader.getCurrentDefinitionLevel() == maxDefinition) {
          values.add(reader.getBinary().toStringUsingUTF8());
        }
        reader.consume();
        remaining--;
      } while (remaining > 0 && reader.getCurrentRepetitionLevel() > 0);
      out.add(List.copyOf(values));
    }
    return out;
  }
}
