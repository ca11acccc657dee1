package org.llamapro.cli.demo;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.llamapro.config.Settings;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.ingest.IngestOptions;
import org.llamapro.data.pack.DocumentsTable;
import org.llamapro.data.pack.InputSnapshot;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.pack.TokenizePackStage;
import org.llamapro.data.prepare.PrepareOptions;
import org.llamapro.data.prepare.PreparePipeline;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.eval.perplexity.PerplexityEvaluator;
import org.llamapro.eval.perplexity.PerplexityReport;
import org.llamapro.io.Directories;
import org.llamapro.shards.ShardBuild;
import org.llamapro.shards.ShardTable;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.expand.BlockExpander;
import org.llamapro.train.expand.ExpansionVerifier;
import org.llamapro.train.expand.Initialization;
import org.llamapro.train.expand.Placement;
import org.llamapro.train.model.ComputeTarget;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.PretrainedModels;
import org.llamapro.train.trainer.ModelExport;
import org.llamapro.train.trainer.TrainConfig;
import org.llamapro.train.trainer.TrainingRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LLaMA Pro in miniature, end to end, on the bundled corpus: prepare the data, pre-train a tiny
 * base model on general English, expand it with identity blocks, train only the new block on code
 * and math (and, as the paper's baseline, fully fine-tune the base on the same data), then measure
 * general and domain perplexity of all four models and write a report.
 *
 * <p>Each stage records its completion under {@code <workdir>/.stages/}; a rerun skips finished
 * stages unless {@code fresh}.
 */
public final class DemoRun {
  private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final List<String> MODELS = List.of("base", "expanded", "llama-pro", "full-finetune");

  private final DemoOptions options;
  private final Path work;
  private final Map<String, Double> stageSeconds = new LinkedHashMap<>();
  private int stageNumber;

  public DemoRun(DemoOptions options) {
    this.options = options;
    this.work = options.workdir().toAbsolutePath().normalize();
  }

  /** Runs every stage not yet done and returns the report's facts. */
  public DemoSummary run() throws IOException {
    long started = System.nanoTime();
    if (options.fresh() && Files.exists(work)) {
      LOG.info("--fresh: removing {}", work);
      delete(work);
    }
    Files.createDirectories(work.resolve(".stages"));
    stage(
        "prepare data (ingest, dedupe, decontaminate; tokenize and pack general / domain shards)",
        "prepare",
        this::prepare);
    stage("initialise the tiny base model", "init", this::initBase);
    stage(
        "pre-train the base model on general English (every block trainable)",
        "pretrain",
        this::pretrain);
    stage(
        "expand "
            + options.layers()
            + " -> "
            + options.expandedLayers()
            + " blocks (interleave, identity) and verify",
        "expand",
        this::expand);
    stage("train only the new block on code and math (LLaMA Pro)", "train-pro", this::trainPro);
    stage("fully fine-tune the base on the same data (baseline)", "train-full", this::trainFull);
    stage(
        "evaluate perplexity of the four models on general and domain validation shards",
        "eval",
        this::evaluate);
    DemoSummary summary = DemoSummary.load(work);
    stage("write the report", "report", () -> DemoReport.write(work, summary));
    double total = (System.nanoTime() - started) / 1e9;
    LOG.info("demo finished in {}", seconds(total));
    return summary;
  }

  public Map<String, Double> stageSeconds() {
    return stageSeconds;
  }

  /** A stage body. */
  @FunctionalInterface
  interface Body {
    void run() throws IOException;
  }

  private void stage(String title, String name, Body body) throws IOException {
    stageNumber++;
    Path marker = work.resolve(".stages").resolve(name + ".done");
    if (Files.exists(marker)) {
      LOG.info("[{}/8] {}: already done (use --fresh to redo)", stageNumber, title);
      return;
    }
    LOG.info("[{}/8] {} ...", stageNumber, title);
    long t0 = System.nanoTime();
    body.run();
    double s = (System.nanoTime() - t0) / 1e9;
    stageSeconds.put(name, s);
    Files.writeString(marker, String.format(Locale.ROOT, "{\"seconds\": %.1f}%n", s));
    LOG.info("[{}/8] {}: done in {}", stageNumber, title, seconds(s));
  }

  // 1. Data: one prepare over every source (dedupe runs across all of them), then two shard tables.
  private void prepare() {
    Settings prepare = conf("prepare.properties");
    Settings resolved = Settings.empty();
    for (Map.Entry<String, String> e : prepare.asMap().entrySet()) {
      String value = e.getValue();
      if (e.getKey().startsWith(IngestOptions.INPUT_PREFIX)) {
        value = options.corpus().resolve(value).toString();
      }
      resolved = resolved.with(e.getKey(), value);
    }
    resolved = resolved.with(PrepareOptions.OUTPUT.name(), work.resolve("data").toString());
    SparkSession spark = SparkSessions.getOrCreate("pipeline demo");
    PreparePipeline.builder().setSpark(spark).setSettings(resolved).build().run();
    Settings pack =
        conf("pack.properties")
            .with(PackOptions.SEQ_LEN.name(), options.seqLen())
            .with(PackOptions.SEED.name(), options.seed());
    PackOptions packOptions = PackOptions.from(pack);
    String clean = work.resolve("data").resolve("clean").toString();
    Dataset<Row> documents = DocumentsTable.read(spark, clean);
    ShardBuild.Input snapshot =
        InputSnapshot.describe(spark.sparkContext().hadoopConfiguration(), clean);
    Object[] general = DemoOptions.GENERAL_SOURCES.toArray();
    TokenizePackStage.run(
        spark,
        documents.filter(col(DocumentColumns.SOURCE).isin(general)),
        packOptions,
        work.resolve("general").toString(),
        snapshot);
    TokenizePackStage.run(
        spark,
        documents.filter(col(DocumentColumns.SOURCE).isin(general).unary_$bang()),
        packOptions,
        work.resolve("domain").toString(),
        snapshot);
  }

  // 2. A fresh LLaMA with the LLaMA-2 vocabulary.
  private void initBase() throws IOException {
    LlamaConfig config =
        new LlamaConfig(
            "llama",
            32000,
            options.hiddenSize(),
            options.intermediateSize(),
            options.layers(),
            options.heads(),
            options.heads(),
            options.hiddenSize() / options.heads(),
            1e-5,
            10000,
            Math.max(2048, options.seqLen()),
            false,
            false,
            false,
            false);
    Path dir = work.resolve("models/base-init");
    delete(dir);
    PretrainedModels.initialize(dir, config, DType.F32, options.seed(), 5_000_000_000L);
  }

  // 3. General knowledge to forget later.
  private void pretrain() {
    train(
        "pretrain.properties",
        work.resolve("models/base-init"),
        "general",
        "runs/base",
        options.pretrainSteps());
    export("runs/base", "models/base");
  }

  // 4. The same function with one more block.
  private void expand() throws IOException {
    Path expanded = work.resolve("models/expanded");
    delete(expanded);
    BlockExpander.expand(
        new BlockExpander.Request(
            work.resolve("models/base"),
            expanded,
            options.expandedLayers(),
            Placement.INTERLEAVE,
            Initialization.IDENTITY,
            options.seed(),
            5_000_000_000L,
            false));
    ExpansionVerifier.Result result =
        ExpansionVerifier.verify(
            work.resolve("models/base"), expanded, ComputeTarget.cpu(), 4, 64, options.seed());
    Files.writeString(work.resolve("models/expansion-check.json"), JSON.writeValueAsString(result));
    if (result.maxAbsDifference() != 0.0) {
      throw new IllegalStateException(
          "The identity expansion changed the logits by " + result.maxAbsDifference());
    }
    LOG.info(
        "expansion verified: largest logit difference {} over {} sequences",
        result.maxAbsDifference(),
        result.sequences());
  }

  // 5. LLaMA Pro: only the new block learns.
  private void trainPro() {
    train(
        "train-pro.properties",
        work.resolve("models/expanded"),
        "domain",
        "runs/llama-pro",
        options.domainSteps());
    export("runs/llama-pro", "models/llama-pro");
  }

  // 6. The baseline: every block learns.
  private void trainFull() {
    train(
        "train-full.properties",
        work.resolve("models/base"),
        "domain",
        "runs/full-finetune",
        options.domainSteps());
    export("runs/full-finetune", "models/full-finetune");
  }

  private void train(String file, Path model, String shards, String run, int steps) {
    Path output = work.resolve(run);
    delete(output);
    Settings settings =
        conf(file)
            .with(TrainConfig.MODEL, model.toString())
            .with(TrainConfig.SHARDS, work.resolve(shards).toString())
            .with(TrainConfig.OUTPUT, output.toString())
            .with(TrainConfig.STEPS, steps)
            .with(TrainConfig.SEQ_LEN, options.seqLen())
            .with(TrainConfig.SEED, options.seed());
    TrainingRun.Result result = TrainingRun.run(TrainConfig.from(settings));
    LOG.info(
        "{}: {} steps, last loss {}, validation loss {}",
        run,
        result.lastStep(),
        result.lastLoss(),
        result.lastValidationLoss());
  }

  private void export(String run, String model) {
    Path output = work.resolve(model);
    delete(output);
    ModelExport.export(work.resolve(run), null, output, 5_000_000_000L);
  }

  // 7. Perplexity of every model on both validation sets.
  private void evaluate() throws IOException {
    Path eval = work.resolve("eval");
    Files.createDirectories(eval);
    List<String> tables = List.of("general", "domain");
    try (LlamaTokenizer tokenizer = LlamaTokenizer.bundled()) {
      for (String name : MODELS) {
        try (LlamaModel model =
            PretrainedModels.load(work.resolve("models").resolve(name), ComputeTarget.cpu())) {
          for (String table : tables) {
            PerplexityReport report =
                new PerplexityEvaluator(model, tokenizer, 4)
                    .evaluate(
                        ShardTable.open(work.resolve(table).toString()),
                        "validation",
                        options.evalRows(),
                        name);
            Files.writeString(
                eval.resolve(name + "-" + table + ".json"),
                JSON.writeValueAsString(report.toMap()) + "\n");
            LOG.info(
                "{} on {}: token perplexity {}, bits per byte {}",
                name,
                table,
                String.format(Locale.ROOT, "%.1f", report.all().tokenPerplexity()),
                String.format(Locale.ROOT, "%.3f", report.all().bitsPerByte()));
          }
        }
      }
    }
  }

  private Settings conf(String file) {
    Path path = options.confDirectory().resolve(file);
    return Settings.load(path);
  }

  static String seconds(double s) {
    return s >= 60
        ? String.format(Locale.ROOT, "%dm %02ds", (int) s / 60, (int) s % 60)
        : String.format(Locale.ROOT, "%.1fs", s);
  }

  /** Removes a stage's earlier output before it reruns. */
  private static void delete(Path directory) {
    try {
      Directories.deleteRecursively(directory);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot remove " + directory, e);
    }
  }
}
