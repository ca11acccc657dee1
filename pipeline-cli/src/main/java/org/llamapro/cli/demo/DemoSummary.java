package org.llamapro.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the demo measured, read back from its files: token perplexity and bits per byte of each
 * model on the general and domain validation shards, the loss curves of the three training runs,
 * and the expansion check.
 */
public record DemoSummary(
    Map<String, Map<String, double[]>>
        perplexity, // model -> table -> {token ppl, bits/byte, tokens}
    Map<String, List<double[]>> losses, // run -> (step, loss)
    double expansionDifference) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static DemoSummary load(Path work) throws IOException {
    Map<String, Map<String, double[]>> perplexity = new LinkedHashMap<>();
    for (String model : DemoRun.MODELS) {
      Map<String, double[]> byTable = new LinkedHashMap<>();
      for (String table : List.of("general", "domain")) {
        JsonNode all =
            JSON.readTree(work.resolve("eval").resolve(model + "-" + table + ".json").toFile())
                .path("all");
        byTable.put(
            table,
            new double[] {
              all.path("token_perplexity").asDouble(),
              all.path("bits_per_byte").asDouble(),
              all.path("tokens").asDouble()
            });
      }
      perplexity.put(model, byTable);
    }
    Map<String, List<double[]>> losses = new LinkedHashMap<>();
    for (String run : List.of("base", "llama-pro", "full-finetune")) {
      List<double[]> points = new ArrayList<>();
      Path metrics = work.resolve("runs").resolve(run).resolve("metrics.jsonl");
      if (Files.exists(metrics)) {
        try (BufferedReader reader = Files.newBufferedReader(metrics)) {
          String line;
          while ((line = reader.readLine()) != null) {
            JsonNode node = JSON.readTree(line);
            if (node.path("kind").asText().equals("train")
                && node.has("loss")
                && !node.path("skipped").asBoolean()) {
              points.add(new double[] {node.path("step").asDouble(), node.path("loss").asDouble()});
            }
          }
        }
      }
      losses.put(run, points);
    }
    double difference =
        JSON.readTree(work.resolve("models/expansion-check.json").toFile())
            .path("maxAbsDifference")
            .asDouble(Double.NaN);
    return new DemoSummary(perplexity, losses, difference);
  }

  public double tokenPerplexity(String model, String table) {
    return perplexity.get(model).get(table)[0];
  }

  public double bitsPerByte(String model, String table) {
    return perplexity.get(model).get(table)[1];
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
