package org.llamapro.train.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.llamapro.hash.Sha256;
import org.llamapro.io.OutputGuard;
import org.llamapro.train.allreduce.AllReduce;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.model.LlamaConfig;

/**
 * The refusals before a run trains: a gradient exchange of the wrong size, a run directory inside
 * (or around) the model or the shards, a run directory that already holds a run (or none to
 * resume), a resumption with another config, and inputs that do not fit together (sequence length,
 * tokenizer, vocabulary). Each message names what differs.
 */
final class RunChecks {
  private RunChecks() {}

  /** The exchange fits the config, the model exists, the output is apart from the inputs. */
  static void checkSetup(TrainConfig config, AllReduce exchange) {
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
    // The run directory is written and, on resume, pruned: it must not hold or sit in an input.
    Map<String, Path> inputs = new LinkedHashMap<>();
    inputs.put("--model", config.model());
    if (!config.shards().contains("://")) {
      inputs.put("--shards", Path.of(config.shards()));
    }
    OutputGuard.requireDisjoint(config.output(), inputs);
  }

  /**
   * The run file a resumption continues, or null for a fresh run.
   *
   * @param leader whether this is rank 0, which alone checks that a fresh run's directory holds no
   *     run (it writes run.json, and another rank may already see that file)
   */
  static RunFile checkRunDirectory(TrainConfig config, boolean leader) {
    Path runDirectory = config.output();
    if (config.resume()) {
      if (!RunFile.exists(runDirectory)) {
        throw new IllegalArgumentException(
            "Nothing to resume: " + runDirectory + " has no " + RunFile.FILE_NAME);
      }
      RunFile previous = RunFile.read(runDirectory);
      checkSameConfig(runDirectory, previous, config);
      return previous;
    }
    if (leader && RunFile.exists(runDirectory)) {
      throw alreadyARun(runDirectory);
    }
    return null;
  }

  static IllegalArgumentException alreadyARun(Path runDirectory) {
    return new IllegalArgumentException(
        "Run directory "
            + runDirectory
            + " already holds a run ("
            + RunFile.FILE_NAME
            + "); pass --resume to continue it, or choose a new --output");
  }

  static void checkSameConfig(Path runDirectory, RunFile previous, TrainConfig config) {
    Map<String, String> before = previous.identity();
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
    long pinned = previous.pinnedVersion();
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
      RunFile previous) {
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
      String pinnedSha = previous.data().tokenizerSha256();
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
}
