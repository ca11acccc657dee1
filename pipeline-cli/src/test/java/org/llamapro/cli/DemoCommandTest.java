package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
    CliRun run = CliRun.of(demo(work, "demo.pretrain.steps=4"));
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
    Map<String, String> first = stageRecords(work);

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

    // A rerun with the same settings reuses every finished stage: no record is rewritten.
    CliRun same = CliRun.of(demo(work, "demo.pretrain.steps=4"));
    assertEquals(0, same.exitCode(), same.err());
    assertEquals(first, stageRecords(work));

    // A changed pretraining setting reruns pretraining and everything built on it, not the data.
    CliRun changed = CliRun.of(demo(work, "demo.pretrain.steps=5"));
    assertEquals(0, changed.exitCode(), changed.err());
    Map<String, String> second = stageRecords(work);
    for (String reused : List.of("prepare", "init")) {
      assertEquals(first.get(reused), second.get(reused), reused + " should have been reused");
    }
    for (String rerun :
        List.of("pretrain", "expand", "train-pro", "train-full", "eval", "report")) {
      assertNotEquals(first.get(rerun), second.get(rerun), rerun + " should have rerun");
    }
    assertTrue(
        Pattern.compile("\"step\"\\s*:\\s*5\\b")
            .matcher(Files.readString(work.resolve("runs/base/metrics.jsonl")))
            .find(),
        "the base model was not pre-trained for 5 steps");
  }

  /** The demo at test size, with {@code extra} as one more --set. */
  private static String[] demo(Path work, String extra) {
    List<String> args = new ArrayList<>(List.of("demo", "--workdir", work.toString()));
    for (String set :
        List.of(
            extra,
            "demo.domain.steps=3",
            "demo.seq-len=64",
            "demo.eval.rows=6",
            "demo.model.hidden-size=32",
            "demo.model.intermediate-size=64")) {
      args.add("--set");
      args.add(set);
    }
    return args.toArray(String[]::new);
  }

  /** Each stage's record (fingerprint and time), by stage. */
  private static Map<String, String> stageRecords(Path work) throws IOException {
    Map<String, String> records = new TreeMap<>();
    try (Stream<Path> files = Files.list(work.resolve(".stages"))) {
      for (Path file : files.toList()) {
        records.put(file.getFileName().toString().replace(".done", ""), Files.readString(file));
      }
    }
    assertEquals(8, records.size(), records.keySet().toString());
    return records;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }
}
