package org.llamapro.data.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llamapro.data.prepare.PrepareFixture.algebraicId;
import static org.llamapro.data.prepare.PrepareFixture.arxivId;
import static org.llamapro.data.prepare.PrepareFixture.openWebMathId;
import static org.llamapro.data.prepare.PrepareFixture.stackId;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.ingest.BadInputException;
import org.llamapro.data.ingest.IngestReport;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.data.stage.Tables;
import org.llamapro.hash.Sha256;
import org.llamapro.io.InvalidFileException;

/** The whole prepare run on a planted corpus: what survives, what is removed and why. */
class PreparePipelineTest {
  @TempDir static Path temp;
  private static SparkSession spark;
  private static PrepareFixture fixture;
  private static Path output;
  private static PrepareSummary summary;
  private static Tables tables;

  @BeforeAll
  static void runOnce() {
    spark = SparkSessions.smallLocal("PreparePipelineTest");
    tables = new Tables(spark);
    fixture = PrepareFixture.create(spark, temp.resolve("in"));
    output = temp.resolve("out");
    summary = run(fixture.settings(output));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static PrepareSummary run(Map<String, String> settings) {
    return PreparePipeline.builder()
        .setSpark(spark)
        .setSettings(Settings.of(settings))
        .build()
        .run();
  }

  private static Map<String, Row> byId(Dataset<Row> table) {
    Map<String, Row> rows = new TreeMap<>();
    for (Row row : table.collectAsList()) {
      rows.put(row.getAs("id"), row);
    }
    return rows;
  }

  private static Map<String, Row> audit() {
    return byId(tables.read(output.resolve("dedupe/audit").toString()));
  }

  @Test
  void documentsHaveStableIdsMetaAndContentHash() {
    Map<String, Row> documents = byId(tables.read(output.resolve("documents").toString()));
    Row stack = documents.get(stackId(3));
    assertEquals("stack", stack.getAs(DocumentColumns.SOURCE));
    assertTrue(((String) stack.getAs(DocumentColumns.FILE)).endsWith("train-00000.parquet"));
    String meta = stack.getAs(DocumentColumns.META);
    assertTrue(meta.contains("\"max_stars_repo_licenses\":[\"Apache-2.0\"]"), meta);
    assertFalse(meta.contains("\"content\""), meta);
    assertEquals(
        Sha256.hex((String) stack.getAs(DocumentColumns.TEXT)),
        stack.getAs(DocumentColumns.CONTENT_HASH));

    Row algebraic = documents.get(algebraicId(1));
    assertEquals(
        "{\"meta\":{\"set\":\"algebraic-stack\",\"tag\":\"lean\"}}".length(),
        ((String) algebraic.getAs(DocumentColumns.META)).length());
    assertTrue(documents.containsKey(openWebMathId(3)));
    assertTrue(documents.containsKey(arxivId(3)));
    // 6 of 8 Stack rows, 3 of the algebraic-stack lines, 3 + 3 from the others.
    assertEquals(15, documents.size(), documents.keySet().toString());
  }

  @Test
  void badInputIsQuarantinedWithLocationAndReason() {
    Map<String, String> reasons = new TreeMap<>();
    for (Row row : tables.read(output.resolve("quarantine").toString()).collectAsList()) {
      reasons.put(row.getAs("id"), row.getAs("reason"));
    }
    Map<String, String> expected = new TreeMap<>();
    expected.put(stackId(4), "invalid-utf8");
    expected.put(stackId(5), "missing-text");
    expected.put("stack/data/python/train-00001.parquet#0", "unreadable-parquet");
    expected.put(algebraicId(3), "not-json");
    expected.put(algebraicId(4), "missing-text");
    expected.put(algebraicId(5), "empty-document");
    expected.put(algebraicId(6), "invalid-utf8");
    expected.put(algebraicId(7), "text-not-string");
    expected.put(algebraicId(8), "not-object");
    expected.put("algebraic-stack/train/part-1.jsonl.zst#1", "corrupt-file");
    assertEquals(expected, reasons);
  }

  @Test
  void invalidUtf8IsReportedWithItsOffsetNotReplaced() {
    Row row =
        tables
            .read(output.resolve("quarantine").toString())
            .filter("id = '" + algebraicId(6) + "'")
            .first();
    assertEquals("invalid UTF-8 at byte 13 of the line", row.getAs("detail"));
    assertEquals(6L, (long) row.getAs("position"));
  }

  @Test
  void duplicatesAndContaminationAreAuditedWithReasonAndKeptId() {
    Map<String, Row> audit = audit();
    Map<String, String> removed = new TreeMap<>();
    audit.forEach(
        (id, row) ->
            removed.put(
                id,
                row.getAs("reason")
                    + " -> "
                    + (row.getAs("duplicate_of") == null
                        ? row.getAs("eval_set") + ":" + row.getAs("eval_item")
                        : row.getAs("duplicate_of"))));
    Map<String, String> expected = new TreeMap<>();
    // Exact: whitespace-only change, same-source copy, cross-source copy (Stack keeps the licence).
    expected.put(algebraicId(2), "exact -> " + algebraicId(1));
    expected.put(openWebMathId(2), "exact -> " + openWebMathId(1));
    expected.put(arxivId(1), "exact -> " + stackId(6));
    // Near: light edits; the MIT file with most stars wins over GPL with more stars.
    expected.put(stackId(0), "near -> " + stackId(2));
    expected.put(stackId(1), "near -> " + stackId(2));
    expected.put(arxivId(2), "near -> " + stackId(3));
    // Contamination: a HumanEval prompt in a Stack file, a GSM8K question on a web page.
    expected.put(stackId(7), "contamination -> humaneval:HumanEval/0");
    expected.put(openWebMathId(3), "contamination -> gsm8k:row 0");
    assertEquals(expected, removed);
  }

  @Test
  void auditCarriesSimilarityAndComponent() {
    Map<String, Row> audit = audit();
    Row exact = audit.get(algebraicId(2));
    assertEquals(1.0, ((Double) exact.getAs("similarity")).doubleValue());
    assertTrue(((String) exact.getAs("component")).startsWith("exact:"));
    Row near = audit.get(stackId(1));
    double similarity = near.getAs("similarity");
    assertTrue(similarity > 0.7 && similarity < 1.0, "similarity " + similarity);
    assertEquals("near:" + stackId(0), (String) near.getAs("component"));
    assertEquals(
        (String) audit.get(stackId(0)).getAs("component"), (String) near.getAs("component"));
    String detail = audit.get(stackId(7)).getAs("detail");
    assertTrue(detail.contains("13-gram"), detail);
  }

  @Test
  void cleanHoldsTheSurvivorsInTheDocumentsSchema() {
    Dataset<Row> clean = tables.read(output.resolve("clean").toString());
    assertEquals(DocumentColumns.SCHEMA.fieldNames().length, clean.columns().length);
    assertEquals(List.of(DocumentColumns.SCHEMA.fieldNames()), List.of(clean.columns()));
    Set<String> expected =
        new TreeSet<>(
            List.of(
                stackId(2),
                stackId(3),
                stackId(6),
                algebraicId(1),
                algebraicId(10), // heavy rewrite of line 1: not a duplicate
                openWebMathId(1),
                arxivId(3)));
    assertEquals(expected, byId(clean).keySet());
  }

  @Test
  void cleanIsReadableAsPlainParquet() {
    // A plain Parquet reader (no Delta) sees exactly the live rows: the table has one version.
    Dataset<Row> parquet = spark.read().parquet(output.resolve("clean").toString());
    assertEquals(7, parquet.count());
  }

  @Test
  void summaryCountsPerSourceAndStage() {
    PrepareSummary written =
        PrepareSummary.read(tables.hadoopConf(), output.resolve("summary.json").toString());
    assertEquals(summary, written);
    assertNull(written.stages().pack());
    IngestReport ingest = written.stages().ingest().report();
    assertEquals(15, ingest.documents());
    assertEquals(10, ingest.badRecords());
    assertEquals(1, ingest.blankLines());
    assertEquals(1, ingest.ignoredFiles());
    assertTrue(written.stages().ingest().seconds() > 0);
    PrepareSummary.SourceSummary stack = written.perSource().get("stack");
    assertEquals(2, stack.files());
    assertEquals(6, stack.documents());
    assertEquals(2, stack.removedNear());
    assertEquals(1, stack.removedContamination());
    assertEquals(3, stack.cleanDocuments());
  }

  @Test
  void summaryKeepsItsFieldNamesInStageOrder() throws Exception {
    JsonNode json = new ObjectMapper().readTree(output.resolve("summary.json").toFile());
    assertEquals(
        List.of("output", "settings", "seconds", "stages", "per_source"), fieldNames(json));
    assertEquals(
        List.of("ingest", "dedupe", "decontam", "clean", "pack"), fieldNames(json.get("stages")));
    JsonNode ingest = json.get("stages").get("ingest");
    assertEquals(
        List.of("seconds", "resumed", "documents", "bytes"), fieldNames(ingest).subList(0, 4));
    assertTrue(json.get("stages").get("pack").isNull());
    assertEquals(6, json.get("per_source").get("stack").get("documents").asInt());
  }

  @Test
  void summaryWithAnUnknownOrMissingFieldIsRefusedNamingFileAndField() throws Exception {
    String text = Files.readString(output.resolve("summary.json"));
    Path unknown = temp.resolve("summary-unknown.json");
    Files.writeString(unknown, text.replaceFirst("\\{", "{ \"surprise\" : 1,"));
    InvalidFileException error =
        assertThrows(
            InvalidFileException.class,
            () -> PrepareSummary.read(tables.hadoopConf(), unknown.toString()));
    assertTrue(
        error.getMessage().startsWith(unknown + ": not a valid prepare summary"),
        error.getMessage());
    assertTrue(error.getMessage().contains("unknown field 'surprise'"), error.getMessage());

    Path missing = temp.resolve("summary-missing.json");
    Files.writeString(missing, text.replaceFirst("\"output\" : \"[^\"]*\",", ""));
    error =
        assertThrows(
            InvalidFileException.class,
            () -> PrepareSummary.read(tables.hadoopConf(), missing.toString()));
    assertTrue(
        error.getMessage().startsWith(missing + ": not a valid prepare summary"),
        error.getMessage());
    assertTrue(error.getMessage().contains("'output'"), error.getMessage());
  }

  @Test
  void progressMarkerWithAnUnknownReportFieldIsRefusedNamingIt() throws Exception {
    Path copy = temp.resolve("progress-copy/_progress");
    Files.createDirectories(copy);
    String marker = Files.readString(output.resolve("_progress/clean.json"));
    Files.writeString(
        copy.resolve("clean.json"), marker.replace("\"files\"", "\"filez\" : 1, \"files\""));
    InvalidFileException error =
        assertThrows(
            InvalidFileException.class,
            () ->
                StageProgress.readIfExists(
                    tables, copy.resolve("clean.json").toString(), "clean", CleanReport.class));
    assertTrue(error.getMessage().contains("clean.json (report)"), error.getMessage());
    assertTrue(error.getMessage().contains("unknown field 'filez'"), error.getMessage());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void sameInputsGiveTheSameTablesAndRerunsResumeOrRedoOnlyWhatChanged() {
    Path second = temp.resolve("out-again");
    Map<String, String> settings = new HashMap<>(fixture.settings(second));
    run(settings);
    for (String table : List.of("documents", "quarantine", "dedupe/audit", "clean")) {
      assertEquals(
          tables.read(output.resolve(table).toString()).orderBy("id").collectAsList(),
          tables.read(second.resolve(table).toString()).orderBy("id").collectAsList(),
          table);
    }
    // The same run again in the same directory: every stage is already complete.
    PrepareSummary.Stages again = run(settings).stages();
    for (StageEntry<?> stage :
        List.of(again.ingest(), again.dedupe(), again.decontam(), again.clean())) {
      assertTrue(stage.resumed());
    }
    // A changed decontamination setting redoes decontam and clean only.
    settings.put("decontam.eval-sets", "mbpp=" + fixture.evalSets.resolve("mbpp.jsonl"));
    PrepareSummary.Stages stages = run(settings).stages();
    assertTrue(stages.ingest().resumed());
    assertTrue(stages.dedupe().resumed());
    assertFalse(stages.decontam().resumed());
    assertFalse(stages.clean().resumed());
    assertEquals(0L, stages.decontam().report().removed());
    // The contamination rows of the first run were replaced, the dedupe rows kept.
    Dataset<Row> audit = tables.read(second.resolve("dedupe/audit").toString());
    assertEquals(0, audit.filter("reason = 'contamination'").count());
    assertEquals(6, audit.count());
    assertEquals(9, tables.read(second.resolve("clean").toString()).count());
  }

  @Test
  void tooMuchBadInputFailsNamingCountsAndFirstRecords() {
    Map<String, String> settings = new HashMap<>(fixture.settings(temp.resolve("out-strict")));
    settings.remove("ingest.max-bad-fraction");
    BadInputException error = assertThrows(BadInputException.class, () -> run(settings));
    assertTrue(
        error
            .getMessage()
            .startsWith(
                "Too much bad input: 10 bad record(s) of 25 (0.4000 > ingest.max-bad-fraction=0.01)"),
        error.getMessage());
    assertTrue(error.getMessage().contains("part-0.jsonl.zst at 3: not-json"), error.getMessage());
    // The tables were still written for inspection, but the stage is not marked complete.
    assertTrue(Files.exists(temp.resolve("out-strict/quarantine/_delta_log")));
    assertFalse(Files.exists(temp.resolve("out-strict/_progress/ingest.json")));
    assertFalse(Files.exists(temp.resolve("out-strict/summary.json")));
  }

  @Test
  void unknownKeysUnderOurPrefixesAreErrors() {
    Map<String, String> settings = new HashMap<>(fixture.settings(temp.resolve("unused")));
    settings.put("dedupe.near.num-hash", "128");
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                PreparePipeline.builder()
                    .setSpark(spark)
                    .setSettings(Settings.of(settings))
                    .build());
    assertTrue(
        error
            .getMessage()
            .startsWith(
                "Unknown configuration key 'dedupe.near.num-hash' (did you mean"
                    + " 'dedupe.near.num-hashes'?)"),
        error.getMessage());
  }

  @Test
  void refusesAnOutputDirectoryThatHoldsSomethingElse() throws Exception {
    Path foreign = temp.resolve("foreign");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("notes.txt"), "mine");
    PreparePipeline pipeline =
        PreparePipeline.builder()
            .setSpark(spark)
            .setSettings(Settings.of(fixture.settings(foreign)))
            .build();
    ConfigException error = assertThrows(ConfigException.class, pipeline::run);
    assertTrue(
        error.getMessage().contains("is not empty and holds no earlier prepare run"),
        error.getMessage());
  }

  // A rerun after a failure, and the outputs a run refuses.

  @Test
  void aRunThatFailedInIngestIsRetriedInTheSameOutput() throws Exception {
    Path input = temp.resolve("retry-in/notes");
    Files.createDirectories(input);
    Path file = input.resolve("part-0.jsonl");
    Files.writeString(file, "{\"text\": \"a good line of text\"}\nnot json\nnot json either\n");
    Path out = temp.resolve("retry-out");
    Map<String, String> settings =
        Map.of("ingest.input.notes", input.toString(), "prepare.output", out.toString());
    BadInputException failure = assertThrows(BadInputException.class, () -> run(settings));
    assertTrue(failure.getMessage().startsWith("Too much bad input: 2 bad record(s) of 3"));
    // Ingest wrote its tables before it failed; the stage is not marked complete.
    assertTrue(Files.exists(out.resolve("quarantine/_delta_log")));
    assertFalse(Files.exists(out.resolve("_progress/ingest.json")));

    // The input fixed, the same command again: ingest is redone in the same output.
    Files.writeString(file, "{\"text\": \"a good line of text\"}\n{\"text\": \"another line\"}\n");
    PrepareSummary summary = run(settings);
    assertFalse(summary.stages().ingest().resumed());
    assertEquals(2, summary.stages().ingest().report().documents());
    assertEquals(0, summary.stages().ingest().report().badRecords());
    assertEquals(0, tables.read(out.resolve("quarantine").toString()).count());
    assertEquals(2, tables.read(out.resolve("clean").toString()).count());
  }

  @Test
  void anOutputAroundAnInputIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path parent = temp.resolve("around");
    Path input = parent.resolve("in/notes");
    Files.createDirectories(input);
    Files.writeString(input.resolve("part-0.jsonl"), "{\"text\": \"some text\"}\n");
    Map<String, String> settings =
        Map.of("ingest.input.notes", input.toString(), "prepare.output", parent.toString());
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> run(settings));
    assertEquals(
        "--output "
            + parent
            + " contains --input notes "
            + input
            + ": replacing the output would delete the input; choose another --output",
        error.getMessage());
    assertFalse(Files.exists(parent.resolve("_progress")));
  }

  @Test
  void anOutputInsideAnInputIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path input = temp.resolve("within/notes");
    Files.createDirectories(input);
    Files.writeString(input.resolve("part-0.jsonl"), "{\"text\": \"some text\"}\n");
    Path inside = input.resolve("prepared");
    Map<String, String> settings =
        Map.of("ingest.input.notes", input.toString(), "prepare.output", inside.toString());
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> run(settings));
    assertEquals(
        "--output "
            + inside
            + " is inside --input notes "
            + input
            + "; choose an --output outside it",
        error.getMessage());
    assertFalse(Files.exists(inside));
  }

  @Test
  void remoteOutputsAreComparedByFileSystemAndPath() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PreparePipeline.requireDisjointOutput(
                    Settings.of(
                        Map.of(
                            "ingest.input.stack", "s3a://corpus/raw/stack",
                            "prepare.output", "s3a://corpus/raw"))));
    assertEquals(
        "--output s3a://corpus/raw contains --input stack s3a://corpus/raw/stack: replacing the"
            + " output would delete the input; choose another --output",
        error.getMessage());
    // Another bucket, or a sibling whose name shares a prefix, is fine.
    PreparePipeline.requireDisjointOutput(
        Settings.of(
            Map.of(
                "ingest.input.stack", "s3a://corpus/raw/stack",
                "prepare.output", "s3a://other/raw")));
    PreparePipeline.requireDisjointOutput(
        Settings.of(
            Map.of(
                "ingest.input.stack", "s3a://corpus/raw-stack",
                "prepare.output", "s3a://corpus/raw")));
  }
}
