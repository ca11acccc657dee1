package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.spark.SparkSessions;

class DataPackCommandTest {
  @TempDir Path temp;

  /** Runs a command line; returns {exit code, stdout, stderr}. */
  private static String[] run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      int code = PipelineMain.execute(args);
      return new String[] {
        String.valueOf(code),
        stdout.toString(StandardCharsets.UTF_8),
        stderr.toString(StandardCharsets.UTF_8)
      };
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void packThenInspect() throws Exception {
    SparkSession spark = SparkSessions.smallLocal("DataPackCommandTest");
    spark.conf().set("spark.databricks.delta.snapshotPartitions", "2");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String source = i % 3 == 0 ? "stack" : "open-web-math";
      rows.add(
          RowFactory.create(
              "d" + i, source, "f", ("line " + i + " of text\n").repeat(1 + i % 4), "{}", "h" + i));
    }
    String documents = temp.resolve("clean").toString();
    spark.createDataFrame(rows, DocumentColumns.SCHEMA).write().parquet(documents);
    String output = temp.resolve("out").toString();

    String[] pack =
        run(
            "data",
            "pack",
            "--documents",
            documents,
            "--output",
            output,
            "--seq-len",
            "32",
            "--set",
            "mix.weights=stack:2");
    assertEquals("0", pack[0], pack[2]);
    JsonNode summary = new ObjectMapper().readTree(pack[1]);
    assertEquals(0, summary.get("table_version").asInt());
    JsonNode stack = summary.at("/counts/train/sources/stack");
    assertEquals(
        2 * stack.get("tokens_before_mix").asLong(), stack.get("tokens_after_mix").asLong());

    String[] inspect = run("shards", "inspect", output, "--rows", "2", "--decode", "--json");
    assertEquals("0", inspect[0], inspect[2]);
    JsonNode report = new ObjectMapper().readTree(inspect[1]);
    assertEquals(32, report.get("seq_len").asInt());
    assertEquals(64, report.at("/tokenizer/sha256").asText().length(), inspect[1]);
    assertTrue(report.at("/splits/train/rows").asLong() > 0);
    assertEquals(2, report.get("rows").size());
    assertTrue(report.at("/rows/0/text").asText().startsWith("⟦"), inspect[1]);

    String[] text = run("shards", "inspect", output + "/shards", "--rows", "1");
    assertEquals("0", text[0], text[2]);
    assertTrue(text[1].contains("document length (tokens):"), text[1]);
  }

  @Test
  void anOutputAroundTheDocumentsIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path documents = temp.resolve("around").resolve("clean");
    java.nio.file.Files.createDirectories(documents);
    String[] around =
        run(
            "data",
            "pack",
            "--documents",
            documents.toString(),
            "--output",
            documents.getParent().toString());
    assertEquals("2", around[0], around[2]);
    assertTrue(around[2].contains("contains --documents"), around[2]);
    assertTrue(
        !java.nio.file.Files.exists(documents.getParent().resolve("shards")), "nothing is written");
  }

  @Test
  void badInputIsExitCodeTwoWithTheValue() {
    String[] missing =
        run("data", "pack", "--documents", temp.resolve("nope").toString(), "--output", "x");
    assertEquals("2", missing[0]);
    assertTrue(missing[2].contains("error: Documents table not found: "), missing[2]);

    String[] seqLen =
        run("data", "pack", "--documents", "d", "--output", "x", "--set", "pack.seq-len=1");
    assertEquals("2", seqLen[0]);
    assertTrue(
        seqLen[2].contains("error: Invalid pack.seq-len: 1 (must be between 2 and 1048576)"),
        seqLen[2]);

    String[] notTable = run("shards", "inspect", temp.toString());
    assertEquals("2", notTable[0]);
    assertTrue(notTable[2].contains("error: Not a shard table: "), notTable[2]);
  }
}
