package org.llamapro.train.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.config.Settings;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.pack.TokenizePackStage;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.train.LearnableDocuments;
import org.llamapro.train.model.LlamaConfig;

/**
 * The real path: documents packed by the pack stage (Spark, the LLaMA-2 tokenizer, a Delta shard
 * table), read back by the shard reader, trained on with only the new blocks learning.
 */
class RealShardsTrainingTest {
  /** LLaMA-2's vocabulary on a tiny body: hidden 32, 4 blocks of which 1 and 3 are new. */
  private static final LlamaConfig CONFIG =
      new LlamaConfig(
          "llama", 32000, 32, 64, 4, 4, 4, 8, 1e-5, 10000, 256, false, false, false, false);

  @TempDir Path temp;

  @Test
  void lossFallsOnPackedShardsWhileOnlyTheNewBlocksLearn() throws Exception {
    Path shards = temp.resolve("packed");
    SparkSession spark = SparkSessions.smallLocal("RealShardsTrainingTest");
    try {
      TokenizePackStage.run(
          spark,
          spark
              .createDataFrame(LearnableDocuments.rows(120), DocumentColumns.SCHEMA)
              .repartition(2),
          PackOptions.builder().optSeqLen(32).optHoldoutFraction(0.1).optSeed(7).build(),
          shards.toString());
    } finally {
      spark.stop();
    }
    String tokenizer;
    try (InputStream in =
        LlamaTokenizer.class.getResourceAsStream(LlamaTokenizer.DEFAULT_RESOURCE)) {
      tokenizer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path model =
        TrainingFixtures.expandedModel(
            Files.createDirectories(temp.resolve("model")), CONFIG, 5, List.of(1, 3), tokenizer);
    Path run = temp.resolve("run");
    TrainConfig config =
        TrainConfig.from(
            Settings.of(
                Map.ofEntries(
                    Map.entry(TrainConfig.MODEL, model.toString()),
                    Map.entry(TrainConfig.SHARDS, shards.toString()),
                    Map.entry(TrainConfig.OUTPUT, run.toString()),
                    Map.entry(TrainConfig.STEPS, "24"),
                    Map.entry(TrainConfig.MICRO_BATCH_SIZE, "4"),
                    Map.entry(TrainConfig.GLOBAL_BATCH_SIZE, "4"),
                    Map.entry(TrainConfig.SEQ_LEN, "32"),
                    Map.entry(TrainConfig.LR, "0.01"),
                    Map.entry(TrainConfig.MIN_LR, "0.001"),
                    Map.entry(TrainConfig.EVAL_EVERY, "12"),
                    Map.entry(TrainConfig.EVAL_ROWS, "16"),
                    Map.entry(TrainConfig.CHECKPOINT_EVERY, "12"),
                    Map.entry(TrainConfig.DOCUMENT_MASK, "true"),
                    Map.entry(TrainConfig.DEVICE, "cpu"))));
    TrainingRun.Result result = TrainingRun.run(config);
    assertTrue(result.finished());

    List<JsonNode> lines = MetricsLog.read(run.resolve(MetricsLog.FILE_NAME));
    List<Double> train =
        lines.stream()
            .filter(l -> l.path("kind").asText().equals("train"))
            .map(l -> l.path("loss").asDouble())
            .toList();
    assertEquals(24, train.size());
    double first =
        train.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double last =
        train.subList(19, 24).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    assertTrue(last < first - 1.0, "training loss " + first + " -> " + last);
    List<Double> validation =
        lines.stream()
            .filter(l -> l.path("kind").asText().equals("eval"))
            .map(l -> l.path("val_loss").asDouble())
            .toList();
    assertEquals(2, validation.size());
    assertTrue(validation.get(1) < validation.get(0), "validation " + validation);
    JsonNode runFile = TrainingRun.readJson(run.resolve(TrainingRun.RUN_FILE));
    assertEquals("0", runFile.path("data").path("version").asText());
    assertEquals(18, runFile.path("trainable_tensors").size());
  }
}
