package org.llamapro.data.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llamapro.data.TestCorpus.document;
import static org.llamapro.data.TestCorpus.edit;
import static org.llamapro.data.TestCorpus.json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;
import org.llamapro.data.TestCorpus;
import org.llamapro.data.prepare.PreparePipeline;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.data.stage.Tables;

/** A second run dedupes its new documents against the first run's signature index. */
class ReferenceIndexTest {
  @TempDir static Path temp;
  private static SparkSession spark;
  private static Tables tables;
  private static Path first;
  private static Path second;

  @BeforeAll
  static void runTwice() {
    spark = SparkSessions.smallLocal("ReferenceIndexTest");
    tables = new Tables(spark);
    String d1 = document(21, 40);
    String d2 = document(22, 40);
    TestCorpus.writeLines(
        temp.resolve("old/arxiv/2023.jsonl.zst"),
        List.of(
            json(Map.of("text", d1)),
            json(Map.of("text", d2)),
            json(Map.of("text", document(23, 40)))));
    TestCorpus.writeLines(
        temp.resolve("new/arxiv/2024.jsonl.zst"),
        List.of(
            json(Map.of("text", d1 + "\n")), // exact copy of an old document (trailing newline)
            json(Map.of("text", edit(d2, 1, 5))), // light edit of an old document
            json(Map.of("text", document(24, 40))))); // new
    first = temp.resolve("run-1");
    second = temp.resolve("run-2");
    run(
        Map.of(
            "ingest.input.arxiv",
            temp.resolve("old/arxiv").toString(),
            "prepare.output",
            first.toString()));
    run(
        Map.of(
            "ingest.input.arxiv",
            temp.resolve("new/arxiv").toString(),
            "prepare.output",
            second.toString(),
            "dedupe.reference-index",
            first.resolve("dedupe/index").toString()));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static void run(Map<String, String> settings) {
    PreparePipeline.builder().setSpark(spark).setSettings(Settings.of(settings)).build().run();
  }

  @Test
  void newDocumentsDuplicatingOldOnesAreRemovedInFavourOfTheOldOnes() {
    Map<String, String> removed = new TreeMap<>();
    for (Row row : tables.read(second.resolve("dedupe/audit").toString()).collectAsList()) {
      removed.put(
          row.getAs("id"),
          row.getAs("reason")
              + " -> "
              + row.getAs("duplicate_of")
              + " ("
              + row.getAs("detail")
              + ")");
    }
    assertEquals(
        Map.of(
            "arxiv/2024.jsonl.zst#1",
            "exact -> arxiv/2023.jsonl.zst#1 (kept document is in the reference index)",
            "arxiv/2024.jsonl.zst#2",
            "near -> arxiv/2023.jsonl.zst#2 (kept document is in the reference index)"),
        removed);
    List<Row> clean = tables.read(second.resolve("clean").toString()).collectAsList();
    assertEquals(1, clean.size());
    assertEquals("arxiv/2024.jsonl.zst#3", clean.get(0).getAs("id"));
  }

  @Test
  void theEarlierRunIsNotTouched() {
    assertEquals(3, tables.read(first.resolve("clean").toString()).count());
    assertEquals(0, tables.read(first.resolve("dedupe/audit").toString()).count());
    // Still a single commit: nothing was rewritten.
    assertTrue(Files.exists(first.resolve("clean/_delta_log/00000000000000000000.json")));
    assertFalse(Files.exists(first.resolve("clean/_delta_log/00000000000000000001.json")));
    assertEquals(3, tables.read(first.resolve("dedupe/index/signatures").toString()).count());
  }

  @Test
  void anIndexBuiltWithOtherParametersIsRefused() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                SignatureIndex.load(
                    tables,
                    List.of(first.resolve("dedupe/index").toString()),
                    "minhash-v1 seed=7"));
    assertTrue(
        error.getMessage().contains("but this run uses 'minhash-v1 seed=7'"), error.getMessage());
  }
}
