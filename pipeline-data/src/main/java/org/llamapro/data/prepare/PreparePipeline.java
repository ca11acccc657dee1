package org.llamapro.data.prepare;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;
import org.llamapro.data.decontam.DecontamStage;
import org.llamapro.data.dedupe.DedupeStage;
import org.llamapro.data.ingest.IngestStage;
import org.llamapro.hash.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code data prepare}: ingest -> dedupe -> decontam -> clean, then any stages added with {@link
 * Builder#addStage} (tokenize, pack), each reading the tables of the ones before from the output
 * directory.
 *
 * <p>Restart: each completed stage leaves {@code _progress/<stage>.json} with a fingerprint of its
 * settings, its inputs and the stages before it. A re-run with the same output directory skips the
 * stages whose fingerprint is unchanged and runs the rest (deleting their old outputs first), so a
 * failed run resumes at the stage that failed, and a changed setting re-runs only what it affects.
 * {@code summary.json} is written last.
 */
public final class PreparePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(PreparePipeline.class);

  private final SparkSession spark;
  private final Settings settings;
  private final OutputLayout layout;
  private final List<PrepareStage> stages;

  private PreparePipeline(Builder builder, PrepareOptions options, List<PrepareStage> stages) {
    this.spark = builder.spark;
    this.settings = builder.settings;
    this.layout = new OutputLayout(options.output());
    this.stages = List.copyOf(stages);
  }

  public static Builder builder() {
    return new Builder();
  }

  public OutputLayout layout() {
    return layout;
  }

  public List<PrepareStage> stages() {
    return stages;
  }

  /** Runs (or resumes) every stage and returns the summary that was written. */
  public Map<String, Object> run() {
    Tables tables = new Tables(spark);
    if (!tables.isMissingOrEmpty(layout.root()) && !tables.exists(layout.progress())) {
      throw new ConfigException(
          "Output directory "
              + layout.root()
              + " is not empty and holds no earlier prepare run (no _progress/); choose a new or"
              + " empty directory");
    }
    tables.delete(layout.summary());
    long started = System.nanoTime();
    Map<String, StageReport> reports = new LinkedHashMap<>();
    Map<String, Object> stageSummaries = new LinkedHashMap<>();
    String previous = "";
    boolean ranEarlier = false;
    for (PrepareStage stage : stages) {
      StageContext context = new StageContext(spark, layout, tables, reports);
      String fingerprint = fingerprint(previous, stage, context);
      String markerPath = layout.progress() + "/" + stage.name() + ".json";
      Map<String, Object> marker = ranEarlier ? null : tables.readJson(markerPath);
      StageReport report;
      double seconds;
      boolean resumed = marker != null && fingerprint.equals(marker.get("fingerprint"));
      if (resumed) {
        @SuppressWarnings("unchecked")
        Map<String, Object> saved = (Map<String, Object>) marker.get("report");
        report = StageReport.of(saved);
        seconds = ((Number) marker.get("seconds")).doubleValue();
        LOG.info(
            "{}: already complete in {} (same inputs and settings); skipping",
            stage.name(),
            layout);
      } else {
        tables.delete(markerPath);
        for (String output : stage.outputs(layout)) {
          tables.delete(output);
        }
        LOG.info("{}: starting", stage.name());
        spark.sparkContext().setJobDescription("prepare: " + stage.name());
        long start = System.nanoTime();
        report = stage.run(context);
        seconds = (System.nanoTime() - start) / 1e9;
        spark.sparkContext().setJobDescription(null);
        Map<String, Object> saved = new LinkedHashMap<>();
        saved.put("fingerprint", fingerprint);
        saved.put("seconds", seconds);
        saved.put("report", report.asMap());
        tables.writeJson(markerPath, saved);
        LOG.info(
            "{}: done in {}",
            stage.name(),
            String.format(java.util.Locale.ROOT, "%.1f s", seconds));
        ranEarlier = true; // later stages read what this one wrote: they run again too
      }
      reports.put(stage.name(), report);
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("seconds", seconds);
      entry.put("resumed", resumed);
      entry.putAll(report.asMap());
      stageSummaries.put(stage.name(), entry);
      previous = fingerprint;
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("output", layout.root());
    summary.put("settings", ourSettings());
    summary.put("seconds", (System.nanoTime() - started) / 1e9);
    summary.put("stages", stageSummaries);
    summary.put("per_source", SummaryTables.perSource(reports));
    tables.delete(layout.resolve("_work"));
    tables.writeJson(layout.summary(), summary);
    LOG.info("prepare: done; summary in {}", layout.summary());
    return summary;
  }

  private Map<String, String> ourSettings() {
    Map<String, String> ours = new TreeMap<>();
    for (Map.Entry<String, String> entry : settings.asMap().entrySet()) {
      for (PrepareStage stage : stages) {
        for (String prefix : stage.configPrefixes()) {
          if (entry.getKey().startsWith(prefix + ".")) {
            ours.put(entry.getKey(), entry.getValue());
          }
        }
      }
    }
    return ours;
  }

  private String fingerprint(String previous, PrepareStage stage, StageContext context) {
    StringBuilder text = new StringBuilder(previous).append('\n').append(stage.name()).append('\n');
    for (Map.Entry<String, String> entry : settings.asMap().entrySet()) {
      String key = entry.getKey();
      if (key.equals(PrepareOptions.OUTPUT)) {
        continue;
      }
      for (String prefix : stage.configPrefixes()) {
        if (key.startsWith(prefix + ".")) {
          text.append(key).append('=').append(entry.getValue()).append('\n');
        }
      }
    }
    text.append(stage.fingerprintInputs(context));
    return Sha256.hex(text.toString());
  }

  /** Builder: {@code setSpark}, {@code setSettings}; {@code addStage} appends a later stage. */
  public static final class Builder {
    private SparkSession spark;
    private Settings settings = Settings.empty();
    private final List<PrepareStage> extraStages = new ArrayList<>();

    private Builder() {}

    public Builder setSpark(SparkSession spark) {
      this.spark = requireNonNull(spark, "spark is null");
      return this;
    }

    /** All settings (ingest.*, dedupe.*, decontam.*, prepare.* and those of added stages). */
    public Builder setSettings(Settings settings) {
      this.settings = requireNonNull(settings, "settings is null");
      return this;
    }

    /** A stage that runs after {@code clean/} is written (e.g. tokenize, pack). */
    public Builder addStage(PrepareStage stage) {
      extraStages.add(requireNonNull(stage, "stage is null"));
      return this;
    }

    public PreparePipeline build() {
      requireNonNull(spark, "spark is null: call setSpark");
      PrepareOptions options = PrepareOptions.from(settings);
      List<PrepareStage> stages = new ArrayList<>();
      stages.add(IngestStage.from(settings));
      stages.add(DedupeStage.from(settings));
      stages.add(DecontamStage.from(settings));
      stages.add(new CleanStage(options.targetFileSize()));
      stages.addAll(extraStages);
      Set<String> names = new HashSet<>();
      Set<String> prefixes = new HashSet<>();
      Set<String> known = new HashSet<>();
      for (PrepareStage stage : stages) {
        if (!names.add(stage.name())) {
          throw new IllegalArgumentException("Two stages named '" + stage.name() + "'");
        }
        prefixes.addAll(stage.configPrefixes());
        known.addAll(stage.knownKeys());
      }
      settings.requireKnown(prefixes, known);
      return new PreparePipeline(this, options, stages);
    }
  }
}
