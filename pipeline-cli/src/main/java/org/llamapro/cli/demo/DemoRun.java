package org.llamapro.cli.demo;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.llamapro.eval.perplexity.PerplexityFile;
import org.llamapro.eval.perplexity.PerplexityReport;
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
 * <p>Each finished stage records a fingerprint of its settings and of the stages it builds on under
 * {@code <workdir>/.stages/}; a rerun skips a stage only when that fingerprint is unchanged, so a
 * changed setting reruns its stage and everything after it.
 */
public final class DemoRun {
  private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);
  static final List<String> MODELS = List.of("base", "expanded", "llama-pro", "full-finetune");

  private final DemoOptions options;
  private final Path work;
  private final Path confDirectory;
  private final Path corpus;
  private final boolean fresh;
  private StageLedger ledger;

  /**
   * @param options the {@code demo.*} settings
   * @param work the work directory ({@code --workdir})
   * @param confDirectory the stages' configuration files ({@code --conf-dir})
   * @param corpus the corpus directory, {@link DemoOptions#corpus()} resolved
   * @param fresh whether to delete the work directory first
   */
  public DemoRun(DemoOptions options, Path work, Path confDirectory, Path corpus, boolean fresh) {
    this.options = options;
    this.work = work.toAbsolutePath().normalize();
    this.confDirectory = confDirectory;
    this.corpus = corpus;
    this.fresh = fresh;
  }

  /** Runs every stage not yet done with these settings and returns the report's facts. */
  public DemoSummary run() throws IOException {
    long started = System.nanoTime();
    Path stages =
        DemoWorkdir.open(work, fresh, Map.of("demo.corpus", corpus, "--conf-dir", confDirectory));
    ledger = new StageLedger(stages, 8);
    String prepare =
        ledger.run(
            "prepare",
            "prepare data (ingest, dedupe, decontaminate; tokenize and pack general / domain"
                + " shards)",
            new StageInputs()
                .with("prepare.properties", prepareSettings())
                .with("pack.properties", packSettings())
                .withFiles("corpus", corpus),
            this::prepare);
    String init =
        ledger.run(
            "init",
            "initialise the tiny base model",
            new StageInputs()
                .with("config", String.valueOf(baseConfig()))
                .with("seed", options.seed()),
            this::initBase);
    String pretrain =
        ledger.run(
            "pretrain",
            "pre-train the base model on general English (every block trainable)",
            new StageInputs()
                .with(
                    "pretrain.properties",
                    trainSettings("pretrain.properties", options.pretrainSteps()))
                .after("init", init)
                .after("prepare", prepare),
            this::pretrain);
    String expand =
        ledger.run(
            "expand",
            "expand "
                + options.layers()
                + " -> "
                + options.expandedLayers()
                + " blocks (interleave, identity) and verify",
            new StageInputs()
                .with("layers", options.expandedLayers())
                .with("seed", options.seed())
                .after("pretrain", pretrain),
            this::expand);
    String trainPro =
        ledger.run(
            "train-pro",
            "train only the new block on code and math (LLaMA Pro)",
            new StageInputs()
                .with(
                    "train-pro.properties",
                    trainSettings("train-pro.properties", options.domainSteps()))
                .after("expand", expand)
                .after("prepare", prepare),
            this::trainPro);
    String trainFull =
        ledger.run(
            "train-full",
            "fully fine-tune the base on the same data (baseline)",
            new StageInputs()
                .with(
                    "train-full.properties",
                    trainSettings("train-full.properties", options.domainSteps()))
                .after("pretrain", pretrain)
                .after("prepare", prepare),
            this::trainFull);
    String eval =
        ledger.run(
            "eval",
            "evaluate perplexity of the four models on general and domain validation shards",
            new StageInputs()
                .with("rows", options.evalRows())
                .after("prepare", prepare)
                .after("pretrain", pretrain)
                .after("expand", expand)
                .after("train-pro", trainPro)
                .after("train-full", trainFull),
            this::evaluate);
    DemoSummary summary = DemoSummary.load(work);
    ledger.run(
        "report",
        "write the report",
        new StageInputs()
            .after("eval", eval)
            .after("pretrain", pretrain)
            .after("train-pro", trainPro)
            .after("train-full", trainFull),
        () -> DemoReport.write(work, summary));
    double total = (System.nanoTime() - started) / 1e9;
    LOG.info("demo finished in {}", seconds(total));
    return summary;
  }

  /** Seconds of each stage this run executed (skipped stages are absent). */
  public Map<String, Double> stageSeconds() {
    return ledger == null ? Map.of() : ledger.secondsByStage();
  }

  // 1. Data: one prepare over every source (dedupe runs across all of them), then two shard tables.
  private void prepare() {
    Settings resolved =
        prepareSettings().with(PrepareOptions.OUTPUT, work.resolve("data").toString());
    SparkSession spark = SparkSessions.getOrCreate("pipeline demo");
    PreparePipeline.builder().setSpark(spark).setSettings(resolved).build().run();
    PackOptions packOptions = PackOptions.from(packSettings());
    String clean = work.resolve("data").resolve("clean").toString();
    Dataset<Row> documents = DocumentsTable.read(spark, clean);
    ShardBuild.Input snapshot =
        InputSnapshot.describe(spark.sparkContext().hadoopConfiguration(), clean);
    Object[] general = DemoOptions.GENERAL_SOURCES.toArray();
    DemoWorkdir.delete(work.resolve("general"));
    DemoWorkdir.delete(work.resolve("domain"));
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
    LlamaConfig config = baseConfig();
    Path dir = work.resolve("models/base-init");
    delete(dir);
    PretrainedModels.initialize(dir, config, DType.F32, options.seed(), 5_000_000_000L);
  }

  private LlamaConfig baseConfig() {
    return LlamaConfig.builder()
        .setVocabSize(32000)
        .setHiddenSize(options.hiddenSize())
        .setIntermediateSize(options.intermediateSize())
        .setNumHiddenLayers(options.layers())
        .setNumAttentionHeads(options.heads())
        .optRmsNormEps(1e-5)
        .optMaxPositionEmbeddings(Math.max(2048, options.seqLen()))
        .build();
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
    ExpansionCheck.of(result).write(DemoSummary.expansionCheckFile(work));
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
        trainSettings(file, steps)
            .with(TrainConfig.MODEL, model.toString())
            .with(TrainConfig.SHARDS, work.resolve(shards).toString())
            .with(TrainConfig.OUTPUT, output.toString());
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
            PerplexityFile.of(report).write(DemoSummary.evalFile(work, name, table));
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

  /** prepare.properties with the inputs resolved against the corpus. */
  private Settings prepareSettings() {
    Settings resolved = Settings.empty();
    for (Map.Entry<String, String> e : conf("prepare.properties").asMap().entrySet()) {
      String value = e.getValue();
      if (e.getKey().startsWith(IngestOptions.INPUT_PREFIX)) {
        value = corpus.resolve(value).toString();
      }
      resolved = resolved.with(e.getKey(), value);
    }
    return resolved;
  }

  private Settings packSettings() {
    return conf("pack.properties")
        .with(PackOptions.SEQ_LEN, options.seqLen())
        .with(PackOptions.SEED, options.seed());
  }

  /** A training stage's settings without the paths the demo adds. */
  private Settings trainSettings(String file, int steps) {
    return conf(file)
        .with(TrainConfig.STEPS, steps)
        .with(TrainConfig.SEQ_LEN, options.seqLen())
        .with(TrainConfig.SEED, options.seed());
  }

  private Settings conf(String file) {
    return Settings.load(confDirectory.resolve(file));
  }

  static String seconds(double s) {
    return s >= 60
        ? String.format(Locale.ROOT, "%dm %02ds", (int) s / 60, (int) s % 60)
        : String.format(Locale.ROOT, "%.1fs", s);
  }

  private static void delete(Path directory) {
    DemoWorkdir.delete(directory);
  }
}
