package org.llamapro.train.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.llamapro.train.model.TinyConfigs;

/**
 * The real path: documents packed by the pack stage (Spark, the LLaMA-2 tokenizer, a Delta shard
 * table), read back by the shard reader, trained on with only the new blocks learning.
 */
class RealShardsTrainingTest {
  private static final LlamaConfig CONFIG = TinyConfigs.llama2Vocabulary(4);

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
                    Map.entry(TrainConfig.MODEL.name(), model.toString()),
                    Map.entry(TrainConfig.SHARDS.name(), shards.toString()),
                    Map.entry(TrainConfig.OUTPUT.name(), run.toString()),
                    Map.entry(TrainConfig.STEPS.name(), "24"),
                    Map.entry(TrainConfig.MICRO_BATCH_SIZE.name(), "4"),
                    Map.entry(TrainConfig.GLOBAL_BATCH_SIZE.name(), "4"),
                    Map.entry(TrainConfig.SEQ_LEN.name(), "32"),
                    Map.entry(OptimizerSettings.LR.name(), "0.01"),
                    Map.entry(OptimizerSettings.MIN_LR.name(), "0.001"),
                    Map.entry(TrainConfig.EVAL_EVERY.name(), "12"),
                    Map.entry(TrainConfig.EVAL_ROWS.name(), "16"),
                    Map.entry(TrainConfig.CHECKPOINT_EVERY.name(), "12"),
                    Map.entry(TrainConfig.DOCUMENT_MASK.name(), "true"),
                    Map.entry(TrainConfig.DEVICE.name(), "cpu"))));
    TrainingRun.Result result = TrainingRun.run(config);
    assertTrue(result.finished());

    List<MetricsLine> lines = MetricsLog.read(run.resolve(MetricsLog.FILE_NAME));
    List<Double> train =
        lines.stream()
            .filter(l -> l instanceof MetricsLine.Train)
            .map(l -> ((MetricsLine.Train) l).loss())
            .toList();
    assertEquals(24, train.size());
    double first =
        train.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double last =
        train.subList(19, 24).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    assertTrue(last < first - 1.0, "training loss " + first + " -> " + last);
    List<Double> validation =
        lines.stream()
            .filter(l -> l instanceof MetricsLine.Eval)
            .map(l -> ((MetricsLine.Eval) l).valLoss())
            .toList();
    assertEquals(2, validation.size());
    assertTrue(validation.get(1) < validation.get(0), "validation " + validation);
    RunFile runFile = RunFile.read(run);
    assertEquals("0", runFile.data().version());
    assertEquals(18, runFile.trainableTensors().size());
  }
}
