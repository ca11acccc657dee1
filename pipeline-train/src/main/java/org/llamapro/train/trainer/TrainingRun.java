package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.llamapro.hash.Sha256;
import org.llamapro.train.allreduce.AllReduce;
import org.llamapro.train.allreduce.SingleWorkerAllReduce;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.model.ComputeTarget;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.PretrainedModels;
import org.llamapro.train.model.TensorSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training run from start (or resumption) to its last step or {@code stop-at-step}: checks the
 * inputs, loads the expanded model, streams rows, steps the {@link Trainer}, validates, logs,
 * checkpoints and plots. The run directory holds {@value #RUN_FILE} (the config and the data it
 * pinned), {@code metrics.jsonl}, {@code loss.png} and {@code checkpoints/}.
 *
 * <p>Every worker runs this with its own {@link AllReduce}; only rank 0 writes files.
 */
public final class TrainingRun {
  public static final String RUN_FILE = "run.json";
  public static final String PLOT_FILE = "loss.png";
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Opens the training data at a table version ({@code -1}: the latest). */
  @FunctionalInterface
  public interface DataOpener {
    TrainingData open(long version);
  }

  /** How a run ended. */
  public record Result(
      Path runDirectory,
      int lastStep,
      boolean finished,
      double lastLoss,
      double lastValidationLoss,
      Path lastCheckpoint) {}

  private TrainingRun() {}

  /** One worker, the shard table named by the config. */
  public static Result run(TrainConfig config) {
    return run(
        config,
        version -> ShardTableData.open(config.shards(), version),
        new SingleWorkerAllReduce());
  }

  public static Result run(TrainConfig config, DataOpener data, AllReduce exchange) {
    requireNonNull(config, "config is null");
    requireNonNull(data, "data is null");
    requireNonNull(exchange, "exchange is null");
    if (exchange.worldSize() != config.workers()) {
      throw new IllegalArgumentException(
          "The gradient exchange has "
              + exchange.worldSize()
              + " workers but "
              + TrainConfig.WORKERS
              + " is "
              + config.workers());
    }
    if (!Files.isDirectory(config.model())) {
      throw new IllegalArgumentException("Model directory not found: " + config.model());
    }
    Path runDirectory = config.output();
    Path runFile = runDirectory.resolve(RUN_FILE);
    JsonNode previous = null;
    if (config.resume()) {
      if (!Files.isRegularFile(runFile)) {
        throw new IllegalArgumentException(
            "Nothing to resume: " + runDirectory + " has no " + RUN_FILE);
      }
      previous = readJson(runFile);
      checkSameConfig(runDirectory, previous, config);
    } else if (exchange.rank() == 0 && Files.exists(runFile)) {
      // Only rank 0 checks: it writes run.json, and another rank may already see that file.
      throw new IllegalArgumentException(
          "Run directory "
              + runDirectory
              + " already holds a run ("
              + RUN_FILE
              + "); pass --resume to continue it, or choose a new --output");
    }
    long version = config.shardsVersion();
    if (previous != null) {
      version = previous.path("data").path("version").asLong(-1);
    }
    try (HfModelDirectory directory = HfModelDirectory.open(config.model());
        TrainingData rows = data.open(version)) {
      LlamaConfig modelConfig = PretrainedModels.config(directory);
      TrainingData.Description description = rows.description();
      checkInputs(config, directory, modelConfig, description, previous);
      TrainableSet trainable =
          TrainableSet.resolve(config.trainable(), modelConfig, config.model());
      CheckpointStore store = new CheckpointStore(runDirectory, config.keepCheckpoints());
      Optional<RunCheckpoint> checkpoint =
          config.resume() ? store.latest() : Optional.<RunCheckpoint>empty();
      ComputeTarget target = ComputeTarget.resolve(config.device(), config.dtype()).logged("train");
      TensorSource source = PretrainedModels.tensorSource(directory);
      if (checkpoint.isPresent()) {
        LOG.info("Resuming from {}", checkpoint.get().directory());
        source = checkpoint.get().overlay(source);
      }
      try (LlamaModel model =
              LlamaModel.load(modelConfig, source, target.device(), target.dtype());
          Trainer trainer =
              new Trainer(
                  model, trainable, source, config.optimizer(), config.documentMask(), exchange)) {
        if (checkpoint.isPresent()) {
          restore(trainer, checkpoint.get());
        }
        // Every rank has passed its checks (a fresh run found no run.json) before rank 0 writes.
        exchange.barrier();
        if (checkpoint.isEmpty() && exchange.rank() == 0) {
          writeRunFile(runFile, config, description, trainable, trainer, target);
        }
        return new Loop(config, trainer, rows, store, checkpoint, target, modelConfig).run();
      }
    }
  }

  private static void restore(Trainer trainer, RunCheckpoint checkpoint) {
    JsonNode state = checkpoint.state();
    Map<String, float[]>[] moments = checkpoint.readMoments();
    trainer.restore(
        moments[0],
        moments[1],
        state.path("optimizer_updates").asLong(),
        state.path("loss_scale").asDouble(1.0),
        state.path("loss_scale_clean_steps").asInt());
  }

  // ---- refusals ----

  static void checkSameConfig(Path runDirectory, JsonNode previous, TrainConfig config) {
    Map<String, String> before = new TreeMap<>();
    previous
        .path("identity")
        .fields()
        .forEachRemaining(e -> before.put(e.getKey(), e.getValue().asText()));
    Map<String, String> now = config.identity();
    List<String> differences = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(now.keySet());
    for (String key : keys) {
      String a = before.get(key);
      String b = now.get(key);
      if (a == null || !a.equals(b)) {
        differences.add(key + " = " + a + " in the run, " + b + " now");
      }
    }
    long pinned = previous.path("data").path("version").asLong(-1);
    if (config.shardsVersion() >= 0 && config.shardsVersion() != pinned) {
      differences.add(
          TrainConfig.SHARDS_VERSION
              + " = "
              + pinned
              + " in the run, "
              + config.shardsVersion()
              + " now");
    }
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot resume "
              + runDirectory
              + ": it was started with a different config: "
              + String.join("; ", differences));
    }
  }

  static void checkInputs(
      TrainConfig config,
      HfModelDirectory directory,
      LlamaConfig model,
      TrainingData.Description data,
      JsonNode previous) {
    if (config.seqLen() > model.maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "Invalid "
              + TrainConfig.SEQ_LEN
              + ": "
              + config.seqLen()
              + " is longer than the model's max_position_embeddings ("
              + model.maxPositionEmbeddings()
              + ") in "
              + directory.directory().resolve(HfModelDirectory.CONFIG));
    }
    if (data.seqLen() != config.seqLen()) {
      throw new IllegalArgumentException(
          "Invalid "
              + TrainConfig.SEQ_LEN
              + ": "
              + config.seqLen()
              + ", but the shards at "
              + data.location()
              + " hold rows of "
              + data.seqLen()
              + " tokens");
    }
    Path tokenizer = directory.directory().resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      throw new IllegalArgumentException(
          "Model "
              + directory.directory()
              + " has no tokenizer.json, so the tokenizer of the shards (sha256 "
              + data.tokenizerSha256()
              + ") cannot be checked against it");
    }
    String modelSha = Sha256.hex(tokenizer);
    if (!modelSha.equalsIgnoreCase(data.tokenizerSha256())) {
      throw new IllegalArgumentException(
          "The shards at "
              + data.location()
              + " were made with a different tokenizer (sha256 "
              + data.tokenizerSha256()
              + ") than the model's "
              + tokenizer
              + " (sha256 "
              + modelSha
              + ")");
    }
    if (data.vocabSize() > model.vocabSize()) {
      throw new IllegalArgumentException(
          "The shards at "
              + data.location()
              + " use a vocabulary of "
              + data.vocabSize()
              + " ids but the model's vocab_size is "
              + model.vocabSize());
    }
    if (previous != null) {
      String pinnedSha = previous.path("data").path("tokenizer_sha256").asText();
      if (!pinnedSha.equalsIgnoreCase(data.tokenizerSha256())) {
        throw new IllegalArgumentException(
            "Cannot resume: the shards' tokenizer changed since the run started ("
                + pinnedSha
                + " then, "
                + data.tokenizerSha256()
                + " now)");
      }
    }
  }

  private static void writeRunFile(
      Path runFile,
      TrainConfig config,
      TrainingData.Description data,
      TrainableSet trainable,
      Trainer trainer,
      ComputeTarget target) {
    ObjectNode run = JSON.createObjectNode();
    ObjectNode settings = run.putObject("config");
    config.asMap().forEach(settings::put);
    ObjectNode identity = run.putObject("identity");
    config.identity().forEach(identity::put);
    run.set("data", describe(data));
    run.put("model", config.model().toAbsolutePath().normalize().toString());
    run.put("trainable", trainable.describe());
    trainer.trainableNames().forEach(run.putArray("trainable_tensors")::add);
    run.put("trainable_parameters", trainer.trainableParameterCount());
    run.put("device", target.device().toString());
    run.put("dtype", target.dtype() == DataType.FLOAT16 ? "float16" : "float32");
    run.put("created", java.time.Instant.now().toString());
    writeJsonAtomically(runFile, run);
  }

  static ObjectNode describe(TrainingData.Description data) {
    ObjectNode node = JSON.createObjectNode();
    node.put("location", data.location());
    node.put("version", data.version());
    node.put("seq_len", data.seqLen());
    node.put("tokenizer_sha256", data.tokenizerSha256());
    node.put("vocab_size", data.vocabSize());
    return node;
  }

  static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static void writeJsonAtomically(Path file, JsonNode json) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
      Files.write(temporary, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The step loop of one worker. */
  private static final class Loop {
    private final TrainConfig config;
    private final Trainer trainer;
    private final TrainingData data;
    private final CheckpointStore store;
    private final Optional<RunCheckpoint> checkpoint;
    private final boolean leader;
    private final double trainFlopsPerToken;
    private final double peakFlops;

    Loop(
        TrainConfig config,
        Trainer trainer,
        TrainingData data,
        CheckpointStore store,
        Optional<RunCheckpoint> checkpoint,
        ComputeTarget target,
        LlamaConfig model) {
      this.config = config;
      this.trainer = trainer;
      this.data = data;
      this.store = store;
      this.checkpoint = checkpoint;
      this.leader = trainer.exchange().rank() == 0;
      this.trainFlopsPerToken =
          FlopCounter.trainingPerToken(model, config.seqLen(), trainer.trainable());
      double tflops = config.peakTflops();
      if (tflops <= 0) {
        // Assumed peaks: an A100's dense F16 tensor-core rate; ~80 GFLOPS per AVX2 CPU core.
        tflops =
            target.device().isGpu() ? 312.0 : 0.08 * Runtime.getRuntime().availableProcessors();
      }
      this.peakFlops = tflops * 1e12 * config.workers();
    }

    Result run() {
      int first = checkpoint.map(c -> c.step() + 1).orElse(1);
      DataCursor cursor = checkpoint.map(RunCheckpoint::dataCursor).orElse(DataCursor.START);
      Path runDirectory = config.output();
      int last = config.steps();
      if (config.stopAtStep() > 0) {
        last = Math.min(last, config.stopAtStep());
      }
      List<MicroBatch> validation = validationBatches();
      double lastLoss = Double.NaN;
      double lastValidation = Double.NaN;
      Path lastCheckpoint = checkpoint.map(RunCheckpoint::directory).orElse(null);
      MetricsLog metrics = leader ? MetricsLog.open(runDirectory, first - 1) : null;
      long runStart = System.nanoTime();
      try (RowStream stream =
          data.trainRows(
              config.seed(), trainer.exchange().rank(), trainer.exchange().worldSize(), cursor)) {
        LOG.info(
            "Training {} ({} weights) on {} from step {} to {} of {}; {} micro-batches of {} rows"
                + " per worker per step",
            trainer.trainable().describe(),
            trainer.trainableParameterCount(),
            data.description().location(),
            first,
            last,
            config.steps(),
            config.accumulationSteps(),
            config.microBatchSize());
        for (int step = first; step <= last; step++) {
          long start = System.nanoTime();
          List<MicroBatch> batches = new ArrayList<>(config.accumulationSteps());
          for (int m = 0; m < config.accumulationSteps(); m++) {
            List<TrainingRow> rows = new ArrayList<>(config.microBatchSize());
            for (int r = 0; r < config.microBatchSize(); r++) {
              rows.add(stream.next());
            }
            batches.add(new MicroBatch(rows));
          }
          double dataSeconds = (System.nanoTime() - start) / 1e9;
          StepResult result = trainer.step(step, batches);
          double seconds = (System.nanoTime() - start) / 1e9;
          lastLoss = result.loss();
          long tokens = (long) config.globalBatchSize() * config.seqLen();
          double tokensPerSecond = tokens / seconds;
          double mfu = trainFlopsPerToken * tokensPerSecond / peakFlops;
          if (leader) {
            ObjectNode line = MetricsLog.object();
            line.put("kind", "train");
            line.put("step", step);
            line.put("loss", result.loss());
            line.put("lr", result.learningRate());
            line.put("grad_norm", result.gradNorm());
            line.put("loss_scale", result.lossScale());
            line.put("skipped", result.skipped());
            line.put("tokens", tokens);
            line.put("step_s", seconds);
            line.put("data_s", dataSeconds);
            line.put("model_s", result.modelSeconds());
            line.put("update_s", result.updateSeconds());
            line.put("tokens_per_s", tokensPerSecond);
            line.put("mfu", mfu);
            metrics.write(line);
            if (step % config.logEvery() == 0 || step == last) {
              LOG.info(
                  String.format(
                      Locale.ROOT,
                      "step %d/%d loss %.4f lr %.3e grad-norm %.4f loss-scale %.0f%s tokens/s %.0f"
                          + " mfu %.2f%%",
                      step,
                      config.steps(),
                      result.loss(),
                      result.learningRate(),
                      result.gradNorm(),
                      result.lossScale(),
                      result.skipped() ? " (skipped: non-finite gradient)" : "",
                      tokensPerSecond,
                      100 * mfu));
            }
          }
          boolean evaluate =
              (config.evalEvery() > 0 && step % config.evalEvery() == 0) || step == config.steps();
          if (evaluate && !validation.isEmpty()) {
            lastValidation = validate(validation);
            if (leader) {
              ObjectNode line = MetricsLog.object();
              line.put("kind", "eval");
              line.put("step", step);
              line.put("val_loss", lastValidation);
              line.put("val_ppl", Math.exp(lastValidation));
              metrics.write(line);
              LOG.info(
                  String.format(
                      Locale.ROOT,
                      "step %d validation loss %.4f perplexity %.3f",
                      step,
                      lastValidation,
                      Math.exp(lastValidation)));
            }
          }
          boolean save =
              step % config.checkpointEvery() == 0 || step == last || step == config.steps();
          if (save && leader) {
            lastCheckpoint = store.write(step, trainer, state(stream.cursor())).directory();
          }
        }
      } finally {
        if (metrics != null) {
          metrics.close();
        }
      }
      // Every rank leaves together, after rank 0's last checkpoint is on disk.
      trainer.exchange().barrier();
      if (leader) {
        Path metricsFile = runDirectory.resolve(MetricsLog.FILE_NAME);
        LossPlot.write(metricsFile, runDirectory.resolve(PLOT_FILE));
      }
      boolean finished = last == config.steps();
      LOG.info(
          "{} at step {} in {} s",
          finished ? "Finished" : "Stopped",
          last,
          String.format(Locale.ROOT, "%.1f", (System.nanoTime() - runStart) / 1e9));
      return new Result(runDirectory, last, finished, lastLoss, lastValidation, lastCheckpoint);
    }

    private List<MicroBatch> validationBatches() {
      if (config.evalRows() == 0) {
        return List.of();
      }
      List<TrainingRow> all = data.validationRows(config.evalRows());
      if (all.isEmpty()) {
        LOG.warn("No validation rows in {}: no validation loss", data.description().location());
        return List.of();
      }
      int rank = trainer.exchange().rank();
      int world = trainer.exchange().worldSize();
      List<TrainingRow> mine = new ArrayList<>();
      for (int i = rank; i < all.size(); i += world) {
        mine.add(all.get(i));
      }
      List<MicroBatch> batches = new ArrayList<>();
      for (int i = 0; i < mine.size(); i += config.microBatchSize()) {
        batches.add(
            new MicroBatch(mine.subList(i, Math.min(mine.size(), i + config.microBatchSize()))));
      }
      return batches;
    }

    /** Mean validation NLL over all workers' shares. */
    private double validate(List<MicroBatch> batches) {
      double[] sums = trainer.evaluate(batches);
      FloatBuffer buffer =
          ByteBuffer.allocateDirect(2 * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
      buffer.put((float) sums[0]).put((float) sums[1]).flip();
      trainer.exchange().allReduceMean(buffer);
      return buffer.get(0) / buffer.get(1);
    }

    private ObjectNode state(DataCursor cursor) {
      ObjectNode state = JSON.createObjectNode();
      state.put("optimizer_updates", trainer.optimizerUpdates());
      state.put("loss_scale", trainer.lossScale());
      state.put("loss_scale_clean_steps", trainer.lossScaleCleanSteps());
      ObjectNode c = state.putObject("data_cursor");
      c.put("epoch", cursor.epoch());
      c.put("step", cursor.step());
      // The only randomness is the seeded data order: seed + cursor restore it exactly.
      state.putObject("rng").put("seed", config.seed());
      state.set("data", describe(data.description()));
      state.put("world_size", trainer.exchange().worldSize());
      ObjectNode settings = state.putObject("config");
      config.asMap().forEach(settings::put);
      return state;
    }
  }
}
