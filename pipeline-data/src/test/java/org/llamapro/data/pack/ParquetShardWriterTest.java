package org.llamapro.data.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.execution.datasources.parquet.SparkToParquetSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.shards.ParquetShardFile;
import org.llamapro.shards.ShardRow;

class ParquetShardWriterTest {
  @TempDir Path temp;

  private static List<ShardRow> rows(int count, int seqLen, int maxId, long seed) {
    Random random = new Random(seed);
    List<ShardRow> rows = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      int[] ids = new int[seqLen];
      for (int i = 0; i < seqLen; i++) {
        ids[i] = random.nextInt(maxId);
      }
      int cut = 1 + random.nextInt(seqLen - 1);
      rows.add(
          new ShardRow(
              "train",
              3,
              r,
              ids,
              r % 7 == 0 ? cut : seqLen,
              new int[] {0, cut},
              List.of("stack", "arxiv"),
              List.of("stack/" + r, "arxiv/" + (r + 1)),
              r % 2 == 1));
    }
    return rows;
  }

  @Test
  void schemaIsSparksConversionOfTheDeltaSchema() {
    assertEquals(
        new SparkToParquetSchemaConverter(new SQLConf()).convert(ShardSchema.TABLE),
        ParquetShardWriter.SCHEMA);
  }

  @Test
  void rowsReadBackThroughParquetMrAndTheShardReader() throws Exception {
    // 250 rows of 512 ids over 1 MiB row groups: several pages (>= 100 rows each) and row groups;
    // ids above 65,535 too.
    List<ShardRow> written = rows(250, 512, 200_000, 5);
    String file = temp.resolve("unit.zstd.parquet").toString();
    Configuration conf = new Configuration();
    ParquetShardWriter writer = new ParquetShardWriter(conf, file, 300 * 1024);
    for (ShardRow row : written) {
      writer.write(row);
    }
    writer.finish();
    assertEquals(250, writer.rows());

    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file), conf))) {
      List<BlockMetaData> groups = reader.getFooter().getBlocks();
      assertTrue(groups.size() >= 2, "row groups: " + groups.size());
      assertEquals(
          ShardSchema.TABLE.json(),
          reader
              .getFooter()
              .getFileMetaData()
              .getKeyValueMetaData()
              .get(ParquetShardWriter.SPARK_SCHEMA_KEY));
      var tokens = groups.get(0).getColumns().get(3);
      assertEquals("input_ids.list.element", tokens.getPath().toDotString());
      assertFalse(tokens.hasDictionaryPage());
      assertTrue(reader.readOffsetIndex(tokens).getPageCount() >= 1);
      var stats = (org.apache.parquet.column.statistics.IntStatistics) tokens.getStatistics();
      assertTrue(
          stats.hasNonNullValue() && stats.getMin() >= 0 && stats.getMax() > 65_535,
          stats.toString());
    }

    // parquet-mr's own record reader (no project code in the read path).
    List<Group> groups = new ArrayList<>();
    try (ParquetReader<Group> reader =
        ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file))
            .withConf(conf)
            .build()) {
      for (Group g = reader.read(); g != null; g = reader.read()) {
        groups.add(g);
      }
    }
    assertEquals(written.size(), groups.size());
    for (int r = 0; r < written.size(); r++) {
      ShardRow row = written.get(r);
      Group g = groups.get(r);
      assertEquals(row.split(), g.getString("split", 0));
      assertEquals(row.row(), g.getLong("row", 0));
      assertEquals(row.numTokens(), g.getInteger("num_tokens", 0));
      assertEquals(row.firstContinues(), g.getBoolean("first_continues", 0));
      Group list = g.getGroup("input_ids", 0);
      int n = list.getFieldRepetitionCount("list");
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = list.getGroup("list", i).getInteger("element", 0);
      }
      assertArrayEquals(row.inputIds(), ids, "row " + r);
      Group docIds = g.getGroup("doc_ids", 0);
      assertEquals(row.docIds().get(1), docIds.getGroup("list", 1).getString("element", 0));
    }

    // And the project's column reader, row group by row group.
    List<ShardRow> read = new ArrayList<>();
    long[] sizes = ParquetShardFile.rowGroupSizes(conf, file);
    for (int group = 0; group < sizes.length; group++) {
      read.addAll(ParquetShardFile.readRowGroup(conf, file, group));
    }
    assertEquals(written.size(), read.size());
    for (int r = 0; r < written.size(); r++) {
      assertArrayEquals(written.get(r).inputIds(), read.get(r).inputIds());
      assertArrayEquals(written.get(r).docStarts(), read.get(r).docStarts());
      assertEquals(written.get(r).docSources(), read.get(r).docSources());
    }
  }
}
