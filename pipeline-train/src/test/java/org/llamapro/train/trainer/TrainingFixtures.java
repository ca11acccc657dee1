package org.llamapro.train.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.expand.ExpansionRecord;
import org.llamapro.train.expand.Initialization;
import org.llamapro.train.expand.Placement;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.PretrainedModels;
import org.llamapro.train.model.RandomWeights;
import org.llamapro.train.model.TensorNames;

/** Small expanded models and row sets for trainer tests. */
final class TrainingFixtures {
  /** A stand-in tokenizer.json for tiny-vocabulary models: only its SHA-256 matters here. */
  static final String TINY_TOKENIZER = "{\"model\": {\"vocab\": {\"a\": 0}}, \"tiny\": true}\n";

  private TrainingFixtures() {}

  /**
   * Writes an "expanded" model: random weights where the blocks in {@code newBlocks} have zero
   * o_proj and down_proj (identity blocks, as expand makes them), an expansion.json naming them,
   * and {@code tokenizerJson} as tokenizer.json.
   */
  static Path expandedModel(
      Path dir, LlamaConfig config, long seed, List<Integer> newBlocks, String tokenizerJson) {
    RandomWeights weights = new RandomWeights(config, seed);
    for (int block : newBlocks) {
      Arrays.fill(
          weights.values().get(TensorNames.layer(block, TensorNames.O_PROJ + ".weight")), 0f);
      Arrays.fill(
          weights.values().get(TensorNames.layer(block, TensorNames.DOWN_PROJ + ".weight")), 0f);
    }
    PretrainedModels.save(dir, config, weights, weights.values().keySet(), DType.F32, 64 * 1024);
    try {
      Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson, StandardCharsets.UTF_8);
      List<Integer> sources = new ArrayList<>();
      for (int i = 0; i < config.numHiddenLayers(); i++) {
        sources.add(i);
      }
      ExpansionRecord record =
          new ExpansionRecord(
              ExpansionRecord.FORMAT,
              "test",
              config.numHiddenLayers() - newBlocks.size(),
              config.numHiddenLayers(),
              Placement.INTERLEAVE,
              Initialization.IDENTITY,
              0,
              newBlocks,
              sources,
              Map.of());
      record.write(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** Rows of {@code seqLen} ids in [3, vocab) with a learnable pattern, documents every 7. */
  static List<TrainingRow> rows(int count, int seqLen, int vocab, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<TrainingRow> rows = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      int[] tokens = new int[seqLen];
      int start = 3 + random.nextInt(vocab - 3);
      for (int i = 0; i < seqLen; i++) {
        // Mostly "next id", sometimes a random one: a bigram pattern a block can learn.
        tokens[i] = random.nextInt(5) == 0 ? 3 + random.nextInt(vocab - 3) : start;
        start = 3 + (tokens[i] - 3 + 1) % (vocab - 3);
      }
      List<Integer> starts = new ArrayList<>();
      for (int i = 0; i < seqLen; i += 7) {
        starts.add(i);
      }
      rows.add(new TrainingRow(tokens, starts.stream().mapToInt(Integer::intValue).toArray()));
    }
    return rows;
  }

  static InMemoryTrainingData data(int seqLen, int vocab, String tokenizerJson, int trainRows) {
    TrainingData.Description description =
        new TrainingData.Description("memory", "0", seqLen, sha256(tokenizerJson), vocab);
    return new InMemoryTrainingData(
        description, rows(trainRows, seqLen, vocab, 1), rows(8, seqLen, vocab, 2));
  }

  static String sha256(String text) {
    return org.llamapro.hash.Sha256.hex(text);
  }
}
