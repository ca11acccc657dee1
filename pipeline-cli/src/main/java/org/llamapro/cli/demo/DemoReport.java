package org.llamapro.cli.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.llamapro.eval.report.Charts;
import org.llamapro.io.AtomicFiles;

/** {@code report.md} with the perplexity table, and the PNG plots it shows. */
final class DemoReport {
  private DemoReport() {}

  static void write(Path work, DemoSummary summary) throws IOException {
    Charts.lines(
        work.resolve("loss-curves.png"),
        "training loss (nats/token)",
        "step",
        "loss",
        summary.losses());
    Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
    for (String table : List.of("general", "domain")) {
      Map<String, Double> byModel = new LinkedHashMap<>();
      for (String model : DemoRun.MODELS) {
        byModel.put(model, summary.tokenPerplexity(model, table));
      }
      bars.put(table + " validation", byModel);
    }
    Charts.bars(
        work.resolve("perplexity.png"),
        "token perplexity by model (lower is better)",
        "perplexity",
        bars);

    StringBuilder md = new StringBuilder();
    md.append("# LLaMA Pro demo report\n\n");
    md.append(summary.sentence()).append("\n\n");
    md.append("## Perplexity on held-out shards\n\n");
    md.append(
        "| model | general: token ppl | general: bits/byte | domain: token ppl | domain: bits/byte |\n");
    md.append("|---|---|---|---|---|\n");
    for (String model : DemoRun.MODELS) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %.3f | %.2f | %.3f |%n",
              model,
              summary.tokenPerplexity(model, "general"),
              summary.bitsPerByte(model, "general"),
              summary.tokenPerplexity(model, "domain"),
              summary.bitsPerByte(model, "domain")));
    }
    md.append("\n![perplexity](perplexity.png)\n\n");
    md.append("## Training\n\n");
    md.append(
        "`base` was pre-trained from scratch on general English with every block trainable. ");
    md.append("`expanded` is `base` with identity blocks inserted; ");
    md.append(
        String.format(
            Locale.ROOT,
            "its largest logit difference from `base` was %s. ",
            summary.expansionDifference()));
    md.append(
        "`llama-pro` trained only the new block on code and math; `full-finetune` trained every block of `base` ");
    md.append("on the same data for the same steps.\n\n");
    md.append("![loss curves](loss-curves.png)\n\n");
    md.append(
        "Runs, checkpoints and metrics are under `runs/`, models under `models/`, per-source reports under `eval/`.\n");
    AtomicFiles.writeString(work.resolve("report.md"), md.toString());
  }
}
