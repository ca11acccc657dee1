package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.expand.ExpansionRecord;
import org.llamapro.train.model.TensorNames;

/** The demo at a smaller size: every stage runs and the report is made of the run's numbers. */
class DemoCommandTest {
  @TempDir Path temp;

  @Test
  void demoRunsEveryStageAndReportsMeasuredNumbers() throws Exception {
    System.setProperty("pipeline.home", Path.of("..").toAbsolutePath().normalize().toString());
    Path work = temp.resolve("demo");
    CliRun run =
        CliRun.of(
            "demo",
            "--workdir",
            work.toString(),
            "--set",
            "demo.pretrain.steps=4",
            "--set",
            "demo.domain.steps=3",
            "--set",
            "demo.seq-len=64",
            "--set",
            "demo.eval.rows=6",
            "--set",
            "demo.model.hidden-size=32",
            "--set",
            "demo.model.intermediate-size=64");
    assertEquals(0, run.exitCode(), run.err());
    for (String stage :
        new String[] {
          "prepare", "init", "pretrain", "expand", "train-pro", "train-full", "eval", "report"
        }) {
      assertTrue(Files.exists(work.resolve(".stages/" + stage + ".done")), stage + " did not run");
    }
    ObjectMapper json = new ObjectMapper();
    assertEquals(
        0.0,
        json.readTree(work.resolve("models/expansion-check.json").toFile())
            .path("maxAbsDifference")
            .asDouble(-1));

    // Only the new block of the LLaMA Pro model differs from the expanded model.
    ExpansionRecord record = ExpansionRecord.read(work.resolve("models/expanded"));
    try (HfModelDirectory expanded = HfModelDirectory.open(work.resolve("models/expanded"));
        HfModelDirectory pro = HfModelDirectory.open(work.resolve("models/llama-pro"))) {
      boolean newBlockChanged = false;
      for (String name : expanded.tensorNames()) {
        boolean trained = record.newBlocks().contains(TensorNames.layerOf(name));
        boolean same = java.util.Arrays.equals(bytes(expanded.bytes(name)), bytes(pro.bytes(name)));
        if (!trained) {
          assertTrue(same, name + " is frozen but changed");
        } else if (!same) {
          newBlockChanged = true;
        }
      }
      assertTrue(newBlockChanged, "the new block did not learn");
    }

    // The report shows the measured perplexities.
    String report = Files.readString(work.resolve("report.md"));
    for (String model : new String[] {"base", "expanded", "llama-pro", "full-finetune"}) {
      JsonNode general = json.readTree(work.resolve("eval/" + model + "-general.json").toFile());
      String value =
          String.format(
              Locale.ROOT, "%.2f", general.path("all").path("token_perplexity").asDouble());
      assertTrue(
          report.contains("| " + model + " | " + value + " |"),
          model + " " + value + " missing from\n" + report);
    }
    assertTrue(Files.size(work.resolve("perplexity.png")) > 1000);
    assertTrue(Files.size(work.resolve("loss-curves.png")) > 1000);
    assertTrue(
        run.out().contains("Training only the new block took domain perplexity from"), run.out());

    // A rerun reuses every finished stage: no marker is rewritten.
    var before = Files.getLastModifiedTime(work.resolve(".stages/pretrain.done"));
    CliRun again = CliRun.of("demo", "--workdir", work.toString(), "--set", "demo.seq-len=64");
    assertEquals(0, again.exitCode(), again.err());
    assertEquals(before, Files.getLastModifiedTime(work.resolve(".stages/pretrain.done")));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
