package org.llamapro.data.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.inspect.ShardDocument;
import org.llamapro.data.inspect.ShardInspector;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.io.InvalidFileException;
import org.llamapro.shards.ShardBuild;
import org.llamapro.shards.ShardCursor;
import org.llamapro.shards.ShardManifest;
import org.llamapro.shards.ShardReader;
import org.llamapro.shards.ShardRow;
import org.llamapro.shards.ShardTable;

class TokenizePackStageTest {
  private static final List<String> SOURCES = List.of("arxiv", "open-web-math", "stack");
  private static SparkSession spark;
  private static List<Row> documents;
  private static Dataset<Row> input;
  private static String shared;
  private static PackResult sharedResult;

  @TempDir static Path temp;

  @BeforeAll
  static void start() {
    spark = SparkSessions.smallLocal("TokenizePackStageTest");
    // Delta replays its log in 50 tasks by default: far too many for tiny test tables.
    spark.conf().set("spark.databricks.delta.snapshotPartitions", "2");
    documents = TestDocuments.rows(SOURCES, 30, 25, 5);
    // A materialized table, as the stage expects.
    String path = temp.resolve("clean").toString();
    TestDocuments.dataset(spark, documents).repartition(3).write().parquet(path);
    input = spark.read().parquet(path);
    // One run most tests read (tail dropped, so conservation has dropped tokens to account for).
    shared = temp.resolve("shared").toString();
    sharedResult = TokenizePackStage.run(spark, input, small().build(), shared);
  }

  private static PackOptions.Builder small() {
    return PackOptions.builder().optSeqLen(64).optHoldoutFraction(0.2).optSeed(7);
  }

  private static Map<String, String> texts() {
    Map<String, String> texts = new HashMap<>();
    documents.forEach(row -> texts.put(row.getString(0), row.getString(3)));
    return texts;
  }

  @Test
  void documentsDecodeBackToTheirTextAndTokensAreConserved() {
    assertEquals(0, sharedResult.tableVersion());
    Map<String, String> texts = texts();
    Set<String> seen = new HashSet<>();
    int incomplete = 0;
    try (ShardInspector shards = ShardInspector.open(shared)) {
      assertTrue(shards.tokenizerMatches());
      for (String split : shards.table().splits()) {
        Iterator<ShardDocument> it = shards.documents(split);
        while (it.hasNext()) {
          ShardDocument doc = it.next();
          assertTrue(seen.add(doc.id()), "each document once with weight 1: " + doc.id());
          if (!doc.complete()) {
            incomplete++; // the document cut by the dropped tail of its unit
            continue;
          }
          assertEquals(texts.get(doc.id()), shards.text(doc), "document " + doc.id());
        }
      }
      for (var entry : shards.stats().entrySet()) {
        assertEquals(
            sharedResult.counts().total(entry.getKey()).tokensInRows(), entry.getValue().tokens());
        assertEquals(0, entry.getValue().padTokens());
      }
      ShardRow first = shards.head(null, 1).get(0);
      assertEquals(64, first.inputIds().length);
      assertTrue(shards.decode(first).startsWith("⟦"), shards.decode(first));
    }
    assertTrue(incomplete <= 2, "at most one cut document per unit: " + incomplete);
    long empty = texts.values().stream().filter(String::isEmpty).count();
    // Documents wholly inside a dropped tail never reach a row.
    assertTrue(seen.size() >= texts.size() - empty - 4, seen.size() + " of " + texts.size());

    // Conservation per split and source: tokens in = tokens in rows + tokens dropped.
    long dropped = 0;
    for (String split : List.of(PackCounts.TRAIN, PackCounts.VALIDATION)) {
      for (SourceCounts c : sharedResult.counts().bySplit().get(split).values()) {
        assertEquals(c.tokensMixed(), c.tokensInRows() + c.tokensDropped());
        assertEquals(c.tokensBeforeMix(), c.tokensMixed());
        dropped += c.tokensDropped();
      }
      // Drop policy: less than one row per unit is lost.
      assertTrue(sharedResult.counts().total(split).tokensDropped() < 64);
    }
    assertTrue(dropped > 0);
  }

  @Test
  void plainParquetReadersSeeTheManifestFiles() throws Exception {
    String out = shared;
    PackResult result = sharedResult;
    JsonNode manifest = new ObjectMapper().readTree(Path.of(out, "manifest.json").toFile());
    assertEquals(64, manifest.get("seq_len").asInt());
    assertEquals(64, manifest.at("/tokenizer/sha256").asText().length());
    assertEquals("document", manifest.at("/special_tokens/bos").asText());
    List<String> files = new ArrayList<>();
    manifest.get("files").forEach(f -> files.add(out + "/shards/" + f.get("path").asText()));
    assertEquals(
        result.counts().rows("train") + result.counts().rows("validation"),
        manifest.at("/counts/train/rows").asLong()
            + manifest.at("/counts/validation/rows").asLong());

    // Plain Spark Parquet (no Delta, no project code): the listed files are the table.
    Dataset<Row> rows = spark.read().parquet(files.toArray(new String[0]));
    assertEquals(
        DataTypes.createArrayType(DataTypes.IntegerType, false).simpleString(),
        rows.schema().apply(ShardSchema.INPUT_IDS).dataType().simpleString());
    assertEquals(
        manifest.at("/counts/train/rows").asLong()
            + manifest.at("/counts/validation/rows").asLong(),
        rows.count());
    assertEquals(
        0, rows.filter(functions.size(functions.col(ShardSchema.INPUT_IDS)).notEqual(64)).count());
    long tokens = rows.agg(functions.sum(ShardSchema.NUM_TOKENS)).first().getLong(0);
    assertEquals(
        manifest.at("/counts/train/tokens_in_rows").asLong()
            + manifest.at("/counts/validation/tokens_in_rows").asLong(),
        tokens);
    assertTrue(files.get(0).endsWith(".zstd.parquet"), files.get(0));
  }

  @Test
  void rerunGivesIdenticalRowsAndHoldoutIsAFunctionOfTheIdOnly() {
    String out = temp.resolve("rerun").toString();
    TokenizePackStage.run(spark, input, small().build(), out);
    TokenizePackStage.run(spark, input, small().build(), out);
    List<String> v0 = describe(ShardTable.open(out, 0), null);
    List<String> v1 = describe(ShardTable.open(out, 1), null);
    assertEquals(v0, v1);
    assertEquals(describe(ShardTable.open(shared), null), v0);

    // Validation = documents whose id hashes under the fraction, whatever the seed or order.
    Set<String> expected = new HashSet<>();
    texts()
        .forEach(
            (id, text) -> {
              if (!text.isEmpty() && Sampling.heldOut(id, 0.2)) {
                expected.add(id);
              }
            });
    Set<String> actual = documentIds(ShardTable.open(out, 1), PackCounts.VALIDATION);
    assertTrue(expected.containsAll(actual));
    assertTrue(actual.size() >= expected.size() - 2, actual.size() + " of " + expected.size());
    assertEquals(0.2, expected.size() / (double) texts().size(), 0.1);
  }

  @Test
  void rowsDoNotDependOnTheShuffleBuckets() {
    // About 4 train units; 1 bucket (every unit filters the same one) against 64 (each unit reads
    // its own range): the units and their rows must be the same.
    long unitBytes = sharedResult.counts().total(PackCounts.TRAIN).bytes() / 4 + 1;
    String one = temp.resolve("buckets-1").toString();
    String many = temp.resolve("buckets-64").toString();
    PackResult single =
        TokenizePackStage.run(
            spark, input, small().optUnitBytes(unitBytes).optShuffleBuckets(1).build(), one);
    TokenizePackStage.run(
        spark, input, small().optUnitBytes(unitBytes).optShuffleBuckets(64).build(), many);
    assertTrue(single.units().train() >= 4, single.units().toString());
    List<String> rows = describe(ShardTable.open(one), null);
    assertTrue(rows.equals(describe(ShardTable.open(many), null)), "rows differ");
    // Every unit got rows (positions spread copies over all units).
    Set<String> units = new HashSet<>();
    for (String row : rows) {
      String key = row.substring(0, row.indexOf('|')); // split/unit/row
      units.add(key.substring(0, key.lastIndexOf('/')));
    }
    assertEquals(single.units().train() + 1, units.size(), units.toString());
  }

  @Test
  void mixtureWeightsUpAndDownSampleWithinTolerance() {
    List<Row> many = TestDocuments.rows(List.of("a", "b"), 300, 2, 9);
    PackResult result =
        TokenizePackStage.run(
            spark,
            TestDocuments.dataset(spark, many),
            PackOptions.builder()
                .optSeqLen(32)
                .optHoldoutFraction(0)
                .optWeights(Map.of("a", 1.5, "b", 0.5))
                .build(),
            temp.resolve("mix").toString());
    SourceCounts a = result.counts().bySplit().get("train").get("a");
    SourceCounts b = result.counts().bySplit().get("train").get("b");
    long nonEmptyA = a.documents() - a.emptyDocuments();
    long nonEmptyB = b.documents() - b.emptyDocuments();
    // Binomial: 1.5 -> 1 + Bernoulli(0.5), 0.5 -> Bernoulli(0.5); 4 standard deviations.
    assertEquals(1.5 * nonEmptyA, a.copies(), 4 * Math.sqrt(nonEmptyA * 0.25));
    assertEquals(0.5 * nonEmptyB, b.copies(), 4 * Math.sqrt(nonEmptyB * 0.25));
    assertEquals(1.5, (double) a.tokensMixed() / a.tokensBeforeMix(), 0.15);
    assertEquals(0.5, (double) b.tokensMixed() / b.tokensBeforeMix(), 0.15);
    assertEquals(a.tokensMixed(), a.tokensInRows() + a.tokensDropped());
    assertTrue(result.counts().bySplit().get("validation") == null);
  }

  @Test
  void rowGroupSizeAndPlainTokenEncodingReachTheParquetFiles() throws Exception {
    // About 1.5M tokens in one unit: over the 1 MiB row group of buffered ints several times.
    List<Row> big = TestDocuments.rows(List.of("stack"), 600, 400, 11);
    String out = temp.resolve("row-groups").toString();
    PackResult result =
        TokenizePackStage.run(
            spark,
            TestDocuments.dataset(spark, big),
            PackOptions.builder()
                .optSeqLen(1024)
                .optHoldoutFraction(0)
                .optRowGroupBytes(1024 * 1024)
                .build(),
            out);
    assertTrue(result.counts().total(PackCounts.TRAIN).tokensInRows() > 1_000_000);
    List<String> files = dataFiles(out).stream().map(f -> out + "/shards/" + f).toList();
    assertEquals(1, files.size(), files.toString());
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(files.get(0)),
                new org.apache.hadoop.conf.Configuration()))) {
      List<BlockMetaData> groups = reader.getFooter().getBlocks();
      assertTrue(groups.size() >= 3, "row groups: " + groups.size());
      for (ColumnChunkMetaData column : groups.get(0).getColumns()) {
        if (column.getPath().toDotString().startsWith(ShardSchema.INPUT_IDS)) {
          assertTrue(column.getEncodings().contains(Encoding.PLAIN), column.toString());
          assertFalse(column.hasDictionaryPage(), column.toString());
        } else if (column.getPath().toDotString().startsWith(ShardSchema.DOC_IDS)) {
          assertTrue(column.hasDictionaryPage(), "other columns keep dictionaries");
        }
      }
    }
  }

  static final AtomicInteger TEXT_READS = new AtomicInteger();

  @Test
  void failedRunLeavesThePreviousVersionAndManifest() throws Exception {
    String out = shared;
    long version = ShardTable.open(out).version();
    byte[] manifest = Files.readAllBytes(Path.of(out, "manifest.json"));
    List<String> before = describe(ShardTable.open(out), null);

    // A text column that fails half way through tokenization.
    int documentsCount = documents.size();
    TEXT_READS.set(0);
    spark
        .udf()
        .register(
            "failing_text",
            (UDF1<String, String>)
                text -> {
                  if (TEXT_READS.incrementAndGet() > documentsCount / 2) {
                    throw new IllegalStateException("injected failure");
                  }
                  return text;
                },
            DataTypes.StringType);
    Dataset<Row> failing =
        input.withColumn(
            DocumentColumns.TEXT,
            functions.call_udf("failing_text", functions.col(DocumentColumns.TEXT)));
    Exception e =
        assertThrows(
            Exception.class, () -> TokenizePackStage.run(spark, failing, small().build(), out));
    assertTrue(stackHas(e, "injected failure"), String.valueOf(e));
    assertEquals(version, ShardTable.open(out).version());
    assertEquals(before, describe(ShardTable.open(out), null));
    assertArrayEquals(manifest, Files.readAllBytes(Path.of(out, "manifest.json")));

    // A failure while the units are written (an unreadable zstd level): the files already
    // written by this run are removed, the table and manifest stay as they were.
    List<String> filesBefore = dataFiles(out);
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    hadoop.set("parquet.compression.codec.zstd.level", "not-a-level");
    try {
      Exception write =
          assertThrows(
              Exception.class, () -> TokenizePackStage.run(spark, input, small().build(), out));
      assertTrue(stackHas(write, "not-a-level"), String.valueOf(write));
    } finally {
      hadoop.unset("parquet.compression.codec.zstd.level");
    }
    assertEquals(version, ShardTable.open(out).version());
    assertEquals(before, describe(ShardTable.open(out), null));
    assertArrayEquals(manifest, Files.readAllBytes(Path.of(out, "manifest.json")));
    assertEquals(filesBefore, dataFiles(out));
  }

  private static List<String> dataFiles(String out) throws java.io.IOException {
    try (var listing = Files.list(Path.of(out, "shards"))) {
      return listing
          .map(f -> f.getFileName().toString())
          .filter(name -> name.endsWith(".parquet"))
          .sorted()
          .toList();
    }
  }

  @Test
  void manifestFingerprintIsSparkXxhash64OfIdAndContentHashXored() throws Exception {
    long expected =
        input
            .agg(
                functions.bit_xor(
                    functions.xxhash64(
                        functions.col(DocumentColumns.ID),
                        functions.col(DocumentColumns.CONTENT_HASH))))
            .first()
            .getLong(0);
    ShardManifest manifest = ShardManifest.read(Path.of(shared, "manifest.json"));
    assertEquals(String.format("%016x", expected), manifest.input().documentsFingerprint());
  }

  @Test
  void manifestIsTypedAndRepeatsTheCommittedBuild() throws Exception {
    Path file = Path.of(shared, "manifest.json");
    ShardManifest manifest = ShardManifest.read(file);
    ShardTable table = ShardTable.open(shared);
    assertEquals(table.build(), manifest.build());
    assertEquals(table.version(), manifest.tableVersion());
    assertEquals("shards", manifest.table());
    assertEquals(64, manifest.options().seqLen());
    assertEquals(ShardBuild.FORMAT, manifest.format());
    assertEquals(
        sharedResult.counts().rows(PackCounts.TRAIN),
        manifest.counts().get(PackCounts.TRAIN).rows());

    String text = Files.readString(file);
    Path unknown = temp.resolve("manifest-unknown.json");
    Files.writeString(unknown, text.replaceFirst("\"seq_len\"", "\"seq_length\" : 1, \"seq_len\""));
    InvalidFileException error =
        assertThrows(InvalidFileException.class, () -> ShardManifest.read(unknown));
    assertTrue(
        error.getMessage().startsWith(unknown + ": not a valid shard manifest: unknown field"),
        error.getMessage());
    assertTrue(error.getMessage().contains("seq_length"), error.getMessage());

    Path missing = temp.resolve("manifest-missing.json");
    Files.writeString(missing, text.replaceFirst("\"run_id\" : \"[^\"]*\",", ""));
    error = assertThrows(InvalidFileException.class, () -> ShardManifest.read(missing));
    assertTrue(error.getMessage().contains("'run_id'"), error.getMessage());
  }

  @Test
  void nullTextIsRejectedWithTheContract() {
    List<Row> bad = new ArrayList<>(documents.subList(0, 3));
    bad.add(org.apache.spark.sql.RowFactory.create("x/1", "stack", "f", null, "{}", "h"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TokenizePackStage.run(
                    spark,
                    spark.createDataFrame(bad, nullableSchema()),
                    small().build(),
                    temp.resolve("bad").toString()));
    assertTrue(e.getMessage().contains("null id, source or text (source stack)"), e.getMessage());
  }

  @Test
  void seededReaderSplitsRowsBetweenRanksAndResumesFromACursor() {
    ShardTable table = ShardTable.open(shared);
    long total = table.rowCount("train");
    List<String> all = new ArrayList<>();
    try (ShardReader rows = table.rows("train", 5, 0, 1, ShardCursor.START)) {
      rows.forEachRemaining(r -> all.add(key(r)));
    }
    assertEquals(total, all.size());
    assertEquals(total, new HashSet<>(all).size());
    List<String> natural = describe(table, "train");
    assertNotEquals(natural.stream().map(s -> s.split("\\|")[0]).toList(), all);

    List<String> rank0 = new ArrayList<>();
    List<String> rank1 = new ArrayList<>();
    ShardCursor saved;
    try (ShardReader rows = table.rows("train", 5, 0, 2, ShardCursor.START)) {
      for (int i = 0; i < 10; i++) {
        rank0.add(key(rows.next()));
      }
      saved = rows.cursor();
    }
    assertEquals(new ShardCursor(0, 10), ShardCursor.parse(saved.toString()));
    try (ShardReader rows = table.rows("train", 5, 0, 2, saved)) {
      rows.forEachRemaining(r -> rank0.add(key(r)));
      assertEquals(new ShardCursor(0, total / 2), rows.cursor());
    }
    try (ShardReader rows = table.rows("train", 5, 1, 2, ShardCursor.START)) {
      rows.forEachRemaining(r -> rank1.add(key(r)));
    }
    assertEquals(total / 2, rank0.size());
    assertEquals(total / 2, rank1.size());
    for (int i = 0; i < rank0.size(); i++) {
      assertEquals(all.get(2 * i), rank0.get(i));
      assertEquals(all.get(2 * i + 1), rank1.get(i));
    }
    List<String> epoch1 = new ArrayList<>();
    try (ShardReader rows = table.rows("train", 5, 0, 1, saved.nextEpoch())) {
      rows.forEachRemaining(r -> epoch1.add(key(r)));
    }
    assertNotEquals(all, epoch1);
    assertEquals(new HashSet<>(all), new HashSet<>(epoch1));
  }

  private static org.apache.spark.sql.types.StructType nullableSchema() {
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType();
    for (var field : DocumentColumns.SCHEMA.fields()) {
      schema = schema.add(field.name(), field.dataType(), true);
    }
    return schema;
  }

  private static boolean stackHas(Throwable e, String text) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains(text)) {
        return true;
      }
    }
    return false;
  }

  private static String key(ShardRow row) {
    return row.split() + "/" + row.unit() + "/" + row.row();
  }

  private static List<String> describe(ShardTable table, String split) {
    List<String> out = new ArrayList<>();
    try (ShardReader rows = table.rows(split)) {
      rows.forEachRemaining(
          r ->
              out.add(
                  key(r)
                      + "|"
                      + java.util.Arrays.toString(r.inputIds())
                      + java.util.Arrays.toString(r.docStarts())
                      + r.docIds()
                      + r.docSources()
                      + r.firstContinues()
                      + r.numTokens()));
    }
    return out;
  }

  private static Set<String> documentIds(ShardTable table, String split) {
    Set<String> ids = new HashSet<>();
    try (ShardReader rows = table.rows(split)) {
      rows.forEachRemaining(r -> ids.addAll(r.docIds()));
    }
    return ids;
  }
}
