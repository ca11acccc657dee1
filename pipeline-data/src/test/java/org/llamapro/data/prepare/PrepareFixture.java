package org.llamapro.data.prepare;

import static org.llamapro.data.TestCorpus.document;
import static org.llamapro.data.TestCorpus.edit;
import static org.llamapro.data.TestCorpus.json;
import static org.llamapro.data.TestCorpus.stackRow;
import static org.llamapro.data.TestCorpus.utf8;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.llamapro.data.TestCorpus;

/**
 * A small corpus in all four sources with planted duplicates, contamination and bad records, and
 * the outcome each planted document must have.
 */
final class PrepareFixture {
  static final String HUMANEVAL_PROMPT =
      "def count_rising_pairs(values: List[int]) -> int:\n"
          + "    \"\"\" Return how many neighbouring pairs in the list are strictly increasing,\n"
          + "    that is values[i] < values[i + 1] for some index i of the input list.\n";
  static final String GSM8K_QUESTION =
      "Marta bakes 4 trays of muffins with 12 muffins on each tray. She gives 15 muffins to her"
          + " neighbours and sells the rest for 2 dollars each.";

  static final String STACK_FILE = "data/python/train-00000.parquet";
  static final String ALGEBRAIC_FILE = "train/part-0.jsonl.zst";

  final Path stack;
  final Path algebraic;
  final Path openWebMath;
  final Path arxiv;
  final Path evalSets;

  private PrepareFixture(Path root) {
    this.stack = root.resolve("the-stack-dedup");
    this.algebraic = root.resolve("algebraic-stack");
    this.openWebMath = root.resolve("open-web-math");
    this.arxiv = root.resolve("arxiv");
    this.evalSets = Path.of("src/test/resources/evalsets").toAbsolutePath();
  }

  static String stackId(int row) {
    return "stack/" + STACK_FILE + "#" + row;
  }

  static String algebraicId(int line) {
    return "algebraic-stack/" + ALGEBRAIC_FILE + "#" + line;
  }

  static String openWebMathId(int line) {
    return "open-web-math/train/owm-0.jsonl.gz#" + line;
  }

  static String arxivId(int line) {
    return "arxiv/train/arxiv-0.jsonl#" + line;
  }

  static PrepareFixture create(SparkSession spark, Path root) {
    PrepareFixture fixture = new PrepareFixture(root);
    String p1 = document(1, 40);
    String u1 = document(2, 40);
    String x1 = document(3, 40);
    String a1 = document(4, 40);
    String o1 = document(5, 40);
    List<Row> stackRows = new ArrayList<>();
    stackRows.add(stackRow("a/p1.py", 1000, List.of("GPL-3.0-only"), utf8(p1))); // 0: near, lost
    stackRows.add(stackRow("b/p1.py", 5, List.of("MIT"), utf8(edit(p1, 1, 11)))); // 1: near, lost
    stackRows.add(stackRow("c/p1.py", 50, List.of("MIT"), utf8(edit(p1, 1, 12)))); // 2: kept
    stackRows.add(stackRow("u1.py", 3, List.of("Apache-2.0"), utf8(u1))); // 3: kept
    byte[] invalid = Arrays.copyOf(utf8(u1), 40);
    invalid[10] = (byte) 0xC3; // a lead byte followed by ASCII: malformed
    invalid[11] = (byte) 0x28;
    stackRows.add(stackRow("bad.py", 1, List.of("MIT"), invalid)); // 4: invalid-utf8
    stackRows.add(stackRow("null.py", 1, List.of("MIT"), null)); // 5: missing-text
    stackRows.add(stackRow("x1.py", 2, List.of("BSD-3-Clause"), utf8(x1))); // 6: kept
    stackRows.add(
        stackRow(
            "leak.py",
            7,
            List.of("MIT"),
            utf8(document(6, 10) + "from typing import List\n\n" + HUMANEVAL_PROMPT))); // 7
    TestCorpus.writeStackParquet(spark, fixture.stack.resolve(STACK_FILE), stackRows);
    TestCorpus.write(
        fixture.stack.resolve("data/python/train-00001.parquet"),
        "this is not a parquet file".getBytes(StandardCharsets.US_ASCII));
    TestCorpus.write(fixture.stack.resolve("README.md"), utf8("# The Stack (test copy)\n"));

    List<byte[]> algebraicLines = new ArrayList<>();
    algebraicLines.add(utf8(json(record(a1, "algebraic-stack", "lean")))); // 1: kept
    algebraicLines.add(
        utf8(
            json(
                record(
                    a1.replace("\n", "  \r\n"), "algebraic-stack", "lean")))); // 2: exact dup of 1
    algebraicLines.add(utf8("{\"text\": \"unterminated")); // 3: not-json
    algebraicLines.add(utf8("{\"meta\": {\"lang\": \"coq\"}}")); // 4: missing-text
    algebraicLines.add(utf8("{\"text\": \"   \", \"meta\": {}}")); // 5: empty-document
    byte[] bad = utf8("{\"text\": \"caf\u00e9 au lait\", \"meta\": {}}");
    bad[13] = (byte) 0xFF; // inside the two bytes of the e-acute: never valid in UTF-8
    algebraicLines.add(bad); // 6: invalid-utf8
    algebraicLines.add(utf8("{\"text\": 42, \"meta\": {}}")); // 7: text-not-string
    algebraicLines.add(utf8("[1, 2, 3]")); // 8: not-object
    algebraicLines.add(new byte[0]); // 9: blank line, counted only
    algebraicLines.add(utf8(json(record(edit(a1, 20, 13), "algebraic-stack", "isabelle")))); // 10
    TestCorpus.writeRawLines(fixture.algebraic.resolve(ALGEBRAIC_FILE), algebraicLines);
    // A truncated zstd file: the tail of the stream is missing.
    byte[] whole =
        TestCorpus.compress(
            "x.zst",
            utf8(
                json(record(document(7, 40), "algebraic-stack", "lean"))
                    + "\n"
                    + json(record(document(8, 40), "algebraic-stack", "lean"))
                    + "\n"));
    TestCorpus.write(
        fixture.algebraic.resolve("train/part-1.jsonl.zst"),
        Arrays.copyOf(whole, whole.length * 2 / 3));

    TestCorpus.writeLines(
        fixture.openWebMath.resolve("train/owm-0.jsonl.gz"),
        List.of(
            json(record(o1, "open-web-math", "https://example.org/1")), // 1: kept
            json(record(o1, "open-web-math", "https://example.org/mirror")), // 2: exact dup
            json(
                record(
                    document(9, 5) + GSM8K_QUESTION + "\n" + document(10, 5),
                    "open-web-math",
                    "https://example.org/3")))); // 3: contamination
    TestCorpus.writeLines(
        fixture.arxiv.resolve("train/arxiv-0.jsonl"),
        List.of(
            json(record(x1, "arxiv", "2401.00001")), // 1: exact copy of stack row 6
            json(record(edit(u1, 1, 14), "arxiv", "2401.00002")), // 2: near dup of stack row 3
            json(record(document(15, 40), "arxiv", "2401.00003")))); // 3: kept
    return fixture;
  }

  private static Map<String, Object> record(String text, String set, String tag) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("text", text);
    record.put("meta", Map.of("set", set, "tag", tag));
    return record;
  }

  Map<String, String> settings(Path output) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("ingest.input.stack", stack.toString());
    settings.put("ingest.input.algebraic-stack", algebraic.toString());
    settings.put("ingest.input.open-web-math", openWebMath.toString());
    settings.put("ingest.input.arxiv", arxiv.toString());
    settings.put("ingest.max-bad-fraction", "0.6");
    settings.put(
        "decontam.eval-sets",
        "humaneval="
            + evalSets.resolve("humaneval.jsonl")
            + ",mbpp="
            + evalSets.resolve("mbpp.jsonl")
            + ",gsm8k="
            + evalSets.resolve("gsm8k.jsonl")
            + ",math="
            + evalSets.resolve("math.jsonl"));
    settings.put("prepare.output", output.toString());
    return settings;
  }
}
