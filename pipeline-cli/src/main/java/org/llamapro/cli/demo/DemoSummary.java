package org.llamapro.cli.demo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.llamapro.eval.perplexity.PerplexityFile;

/**
 * What the demo measured, read back from its files: token perplexity and bits per byte of each
 * model on the general and domain validation shards, the loss curves of the three training runs,
 * and the expansion check.
 *
 * @param perplexity model to table ({@code general}, {@code domain}) to its overall figures
 * @param losses run to its (step, loss) points
 * @param expansionDifference the largest logit difference the identity expansion made
 */
public record DemoSummary(
    Map<String, Map<String, PerplexityFile.Figures>> perplexity,
    Map<String, List<double[]>> losses,
    double expansionDifference) {
  static final List<String> TABLES = List.of("general", "domain");
  static final List<String> RUNS = List.of("base", "llama-pro", "full-finetune");

  public static DemoSummary load(Path work) {
    Map<String, Map<String, PerplexityFile.Figures>> perplexity = new LinkedHashMap<>();
    for (String model : DemoRun.MODELS) {
      Map<String, PerplexityFile.Figures> byTable = new LinkedHashMap<>();
      for (String table : TABLES) {
        byTable.put(table, PerplexityFile.read(evalFile(work, model, table)).all());
      }
      perplexity.put(model, byTable);
    }
    Map<String, List<double[]>> losses = new LinkedHashMap<>();
    for (String run : RUNS) {
      losses.put(run, TrainingLosses.read(work.resolve("runs").resolve(run)));
    }
    double difference = ExpansionCheck.read(expansionCheckFile(work)).maxAbsDifference();
    return new DemoSummary(perplexity, losses, difference);
  }

  static Path evalFile(Path work, String model, String table) {
    return work.resolve("eval").resolve(model + "-" + table + ".json");
  }

  static Path expansionCheckFile(Path work) {
    return work.resolve("models/expansion-check.json");
  }

  public double tokenPerplexity(String model, String table) {
    return PerplexityFile.Figures.orNaN(perplexity.get(model).get(table).tokenPerplexity());
  }

  public double bitsPerByte(String model, String table) {
    return PerplexityFile.Figures.orNaN(perplexity.get(model).get(table).bitsPerByte());
  }

  /** One sentence on what happened, from the measured values, whatever they are. */
  public String sentence() {
    double baseDomain = tokenPerplexity("base", "domain");
    double baseGeneral = tokenPerplexity("base", "general");
    double proDomain = tokenPerplexity("llama-pro", "domain");
    double proGeneral = tokenPerplexity("llama-pro", "general");
    double fullDomain = tokenPerplexity("full-finetune", "domain");
    double fullGeneral = tokenPerplexity("full-finetune", "general");
    return String.format(
        Locale.ROOT,
        "Training only the new block took domain perplexity from %.1f to %.1f (%s) while general"
            + " perplexity went from %.1f to %.1f (%s); the full fine-tune took the domain to %.1f (%s)"
            + " and general perplexity to %.1f (%s).",
        baseDomain,
        proDomain,
        change(baseDomain, proDomain),
        baseGeneral,
        proGeneral,
        change(baseGeneral, proGeneral),
        fullDomain,
        change(baseDomain, fullDomain),
        fullGeneral,
        change(baseGeneral, fullGeneral));
  }

  static String change(double before, double after) {
    double percent = (after - before) / before * 100;
    return String.format(Locale.ROOT, "%s%.1f%%", percent >= 0 ? "+" : "", percent);
  }
}
