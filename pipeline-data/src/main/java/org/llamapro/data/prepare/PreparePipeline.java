package org.llamapro.data.prepare;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;
import org.llamapro.data.decontam.DecontamOptions;
import org.llamapro.data.decontam.DecontamReport;
import org.llamapro.data.decontam.DecontamStage;
import org.llamapro.data.decontam.EvalSetSpec;
import org.llamapro.data.dedupe.DedupeOptions;
import org.llamapro.data.dedupe.DedupeReport;
import org.llamapro.data.dedupe.DedupeStage;
import org.llamapro.data.ingest.IngestOptions;
import org.llamapro.data.ingest.IngestReport;
import org.llamapro.data.ingest.IngestStage;
import org.llamapro.data.pack.PackPrepareStage;
import org.llamapro.data.pack.PackReport;
import org.llamapro.data.stage.OutputLayout;
import org.llamapro.data.stage.PrepareStage;
import org.llamapro.data.stage.StageContext;
import org.llamapro.data.stage.StageReport;
import org.llamapro.data.stage.Tables;
import org.llamapro.hash.Sha256;
import org.llamapro.io.RemoteOutputGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code data prepare}: ingest -> dedupe -> decontam -> clean, then optionally tokenize and pack
 * ({@link Builder#optPack}), each reading the tables of the ones before from the output directory.
 *
 * <p>The output directory must not contain or be inside an input ({@link #requireDisjointOutput}).
 * Before the first stage writes, the run marks it as a prepare output ({@code
 * _progress/prepare.json}); a non-empty directory without {@code _progress/} is refused.
 *
 * <p>Restart: each completed stage leaves {@code _progress/<stage>.json} with a fingerprint of its
 * settings, its inputs and the stages before it. A re-run with the same output directory skips the
 * stages whose fingerprint is unchanged and runs the rest (deleting their old outputs first), so a
 * failed or killed run resumes at the stage that failed (the first one included), and a changed
 * setting re-runs only what it affects. {@code summary.json} is written last.
 */
public final class PreparePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(PreparePipeline.class);

  private final SparkSession spark;
  private final Settings settings;
  private final OutputLayout layout;
  private final List<PrepareStage<?>> stages;

  private PreparePipeline(Builder builder, PrepareOptions options, List<PrepareStage<?>> stages) {
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

  /** Runs (or resumes) every stage and returns the summary that was written. */
  public PrepareSummary run() {
    Tables tables = new Tables(spark);
    if (!tables.isMissingOrEmpty(layout.root()) && !tables.exists(layout.progress())) {
      throw new ConfigException(
          "Output directory "
              + layout.root()
              + " is not empty and holds no earlier prepare run (no _progress/); choose a new or"
              + " empty directory");
    }
    // Marked as this tool's before any stage writes: a run that fails or is killed in its first
    // stage is resumed by the next run instead of being refused as a foreign directory.
    PrepareMarker.ensure(tables, layout.progress());
    tables.delete(layout.summary());
    long started = System.nanoTime();
    Map<String, StageReport> reports = new LinkedHashMap<>();
    Map<String, StageEntry<?>> entries = new LinkedHashMap<>();
    String previous = "";
    boolean ranEarlier = false;
    for (PrepareStage<?> stage : stages) {
      StageContext context = new StageContext(spark, layout, tables, reports);
      String fingerprint = fingerprint(previous, stage, context);
      StageEntry<?> entry = runOrResume(stage, context, tables, fingerprint, ranEarlier);
      // Later stages read what a stage that ran wrote: they run again too.
      ranEarlier |= !entry.resumed();
      reports.put(stage.name(), entry.report());
      entries.put(stage.name(), entry);
      previous = fingerprint;
    }
    PrepareSummary summary = summary(entries, reports, (System.nanoTime() - started) / 1e9);
    tables.delete(layout.resolve("_work"));
    summary.write(tables.hadoopConf(), layout.summary());
    LOG.info("prepare: done; summary in {}", layout.summary());
    return summary;
  }

  /**
   * Refuses an output directory that contains or is inside one of the run's inputs: the corpora
   * ({@code --input}), the evaluation sets and the reference indexes. Needs no Spark, so the CLI
   * checks it before starting a session.
   */
  public static void requireDisjointOutput(Settings settings) {
    Map<String, String> inputs = new LinkedHashMap<>();
    IngestOptions.from(settings)
        .inputs()
        .forEach((source, path) -> inputs.put("--input " + source, path));
    for (EvalSetSpec set : DecontamOptions.from(settings).evalSets()) {
      inputs.put(DecontamOptions.EVAL_SETS + " " + set.name(), set.path());
    }
    List<String> indexes = DedupeOptions.from(settings).referenceIndexes();
    for (int i = 0; i < indexes.size(); i++) {
      inputs.put(DedupeOptions.REFERENCE_INDEX + "[" + i + "]", indexes.get(i));
    }
    RemoteOutputGuard.requireDisjoint(PrepareOptions.from(settings).output(), inputs);
  }

  private <R extends StageReport> StageEntry<R> runOrResume(
      PrepareStage<R> stage,
      StageContext context,
      Tables tables,
      String fingerprint,
      boolean ranEarlier) {
    String markerPath = layout.progress() + "/" + stage.name() + ".json";
    StageProgress<R> marker =
        ranEarlier
            ? null
            : StageProgress.readIfExists(tables, markerPath, stage.name(), stage.reportType());
    if (marker != null && fingerprint.equals(marker.fingerprint())) {
      LOG.info(
          "{}: already complete in {} (same inputs and settings); skipping", stage.name(), layout);
      return new StageEntry<>(marker.seconds(), true, marker.report());
    }
    tables.delete(markerPath);
    for (String output : stage.outputs(layout)) {
      tables.delete(output);
    }
    LOG.info("{}: starting", stage.name());
    spark.sparkContext().setJobDescription("prepare: " + stage.name());
    long start = System.nanoTime();
    R report = stage.run(context);
    double seconds = (System.nanoTime() - start) / 1e9;
    spark.sparkContext().setJobDescription(null);
    new StageProgress<>(fingerprint, seconds, report).write(tables, markerPath);
    LOG.info("{}: done in {}", stage.name(), String.format(Locale.ROOT, "%.1f s", seconds));
    return new StageEntry<>(seconds, false, report);
  }

  @SuppressWarnings("unchecked")
  private PrepareSummary summary(
      Map<String, StageEntry<?>> entries, Map<String, StageReport> reports, double seconds) {
    PrepareSummary.Stages stages =
        new PrepareSummary.Stages(
            (StageEntry<IngestReport>) entries.get(IngestStage.NAME),
            (StageEntry<DedupeReport>) entries.get(DedupeStage.NAME),
            (StageEntry<DecontamReport>) entries.get(DecontamStage.NAME),
            (StageEntry<CleanReport>) entries.get(CleanStage.NAME),
            (StageEntry<PackReport>) entries.get(PackPrepareStage.NAME));
    return new PrepareSummary(
        layout.root(),
        ourSettings(),
        seconds,
        stages,
        SummaryTables.perSource(
            (IngestReport) reports.get(IngestStage.NAME),
            (DedupeReport) reports.get(DedupeStage.NAME),
            (DecontamReport) reports.get(DecontamStage.NAME),
            (CleanReport) reports.get(CleanStage.NAME)));
  }

  private Map<String, String> ourSettings() {
    Map<String, String> ours = new TreeMap<>();
    for (Map.Entry<String, String> entry : settings.asMap().entrySet()) {
      for (PrepareStage<?> stage : stages) {
        for (String prefix : stage.configKeys().prefixes()) {
          if (entry.getKey().startsWith(prefix + ".")) {
            ours.put(entry.getKey(), entry.getValue());
          }
        }
      }
    }
    return ours;
  }

  private String fingerprint(String previous, PrepareStage<?> stage, StageContext context) {
    StringBuilder text = new StringBuilder(previous).append('\n').append(stage.name()).append('\n');
    for (Map.Entry<String, String> entry : settings.asMap().entrySet()) {
      String key = entry.getKey();
      if (key.equals(PrepareOptions.OUTPUT.name())) {
        continue;
      }
      for (String prefix : stage.configKeys().prefixes()) {
        if (key.startsWith(prefix + ".")) {
          text.append(key).append('=').append(entry.getValue()).append('\n');
        }
      }
    }
    text.append(stage.fingerprintInputs(context));
    return Sha256.hex(text.toString());
  }

  /**
   * Builder: {@code setSpark} and {@code setSettings} are required; {@code optPack} adds tokenize
   * and pack after {@code clean/}.
   */
  public static final class Builder {
    private SparkSession spark;
    private Settings settings;
    private PackPrepareStage pack;

    private Builder() {}

    public Builder setSpark(SparkSession spark) {
      this.spark = requireNonNull(spark, "spark is null");
      return this;
    }

    /** All settings (ingest.*, dedupe.*, decontam.*, prepare.*, and tokenize/mix/pack.*). */
    public Builder setSettings(Settings settings) {
      this.settings = requireNonNull(settings, "settings is null");
      return this;
    }

    /** Tokenize, mix and pack {@code clean/} into {@code shards/} as the last stage. */
    public Builder optPack(PackPrepareStage pack) {
      this.pack = pack;
      return this;
    }

    public PreparePipeline build() {
      requireNonNull(spark, "spark is null: call setSpark");
      requireNonNull(settings, "settings is null: call setSettings");
      PrepareOptions options = PrepareOptions.from(settings);
      requireDisjointOutput(settings);
      List<PrepareStage<?>> stages = new ArrayList<>();
      stages.add(IngestStage.from(settings));
      stages.add(DedupeStage.from(settings));
      stages.add(DecontamStage.from(settings));
      stages.add(new CleanStage(options.targetFileSize()));
      if (pack != null) {
        stages.add(pack);
      }
      for (PrepareStage<?> stage : stages) {
        stage.configKeys().requireKnown(settings);
      }
      return new PreparePipeline(this, options, stages);
    }
  }
}
