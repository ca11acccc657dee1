package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.shards.ShardReader;
import org.llamapro.shards.ShardRow;
import org.llamapro.shards.ShardTable;

/** {@code data prepare} runs every stage, ingest to packed shards, on the bundled corpus. */
class DataPrepareEndToEndTest {
  @TempDir Path temp;

  @Test
  void prepareIngestsDedupesAndPacksTheBundledCorpus() throws Exception {
    Path corpus = Path.of("..", "demo", "corpus").toAbsolutePath().normalize();
    Path output = temp.resolve("prepared");
    CliRun run =
        CliRun.of(
            "data",
            "prepare",
            "--input",
            "arxiv=" + corpus.resolve("proof-pile-2/arxiv"),
            "--input",
            "open-web-math=" + corpus.resolve("proof-pile-2/open-web-math"),
            "--output",
            output.toString(),
            "--seq-len",
            "256",
            "--set",
            "mix.holdout-fraction=0.2");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode summary = new ObjectMapper().readTree(output.resolve("summary.json").toFile());
    for (String stage : new String[] {"ingest", "dedupe", "decontam", "clean", "pack"}) {
      assertTrue(
          summary.toString().contains("\"" + stage + "\""), stage + " missing from " + summary);
    }
    assertTrue(Files.exists(output.resolve("manifest.json")));
    ShardTable table = ShardTable.open(output.toString());
    assertEquals(256, table.seqLen());
    long rows = 0;
    try (ShardReader reader = table.rows("train")) {
      while (reader.hasNext()) {
        ShardRow row = reader.next();
        assertEquals(256, row.inputIds().length);
        assertTrue(
            row.docSources().stream()
                .allMatch(s -> s.equals("arxiv") || s.equals("open-web-math")));
        rows++;
      }
    }
    assertTrue(rows > 10, "rows: " + rows);
  }
}
