package org.llamapro.train.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.pack.TokenizePackStage;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.train.LearnableDocuments;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.expand.ExpansionRecord;
import org.llamapro.train.expand.Initialization;
import org.llamapro.train.expand.Placement;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.PretrainedModels;
import org.llamapro.train.model.RandomWeights;
import org.llamapro.train.model.TensorNames;
import org.llamapro.train.model.TinyConfigs;
import org.llamapro.train.trainer.OptimizerSettings;
import org.llamapro.train.trainer.TrainConfig;

/** A tiny expanded model and real packed shards for the data-parallel tests. */
final class SparkFixtures {
  /** LLaMA-2's vocabulary on a tiny body: hidden 32, 4 blocks of which 1 and 3 are new. */
  static final LlamaConfig CONFIG = TinyConfigs.llama2Vocabulary(4);

  static final int SEQ_LEN = 16;

  private SparkFixtures() {}

  /** Packs {@code documents} seeded documents into {@code dir} with the pack stage. */
  static Path shards(SparkSession spark, Path dir, int documents) {
    TokenizePackStage.run(
        spark,
        spark
            .createDataFrame(LearnableDocuments.rows(documents), DocumentColumns.SCHEMA)
            .repartition(2),
        PackOptions.builder().optSeqLen(SEQ_LEN).optHoldoutFraction(0.1).optSeed(7).build(),
        dir.toString());
    return dir;
  }

  /** An "expanded" model: random weights, blocks 1 and 3 identity (zero o_proj, down_proj). */
  static Path model(Path dir) throws IOException {
    Files.createDirectories(dir);
    RandomWeights weights = new RandomWeights(CONFIG, 5);
    for (int block : List.of(1, 3)) {
      Arrays.fill(
          weights.values().get(TensorNames.layer(block, TensorNames.O_PROJ + ".weight")), 0f);
      Arrays.fill(
          weights.values().get(TensorNames.layer(block, TensorNames.DOWN_PROJ + ".weight")), 0f);
    }
    PretrainedModels.save(dir, CONFIG, weights, weights.values().keySet(), DType.F32, 64 * 1024);
    try (InputStream in =
        LlamaTokenizer.class.getResourceAsStream(LlamaTokenizer.DEFAULT_RESOURCE)) {
      Files.write(dir.resolve("tokenizer.json"), in.readAllBytes());
    }
    List<Integer> sources = new ArrayList<>();
    for (int i = 0; i < CONFIG.numHiddenLayers(); i++) {
      sources.add(i);
    }
    ExpansionRecord record =
        new ExpansionRecord(
            ExpansionRecord.FORMAT,
            "test",
            2,
            CONFIG.numHiddenLayers(),
            Placement.INTERLEAVE,
            Initialization.IDENTITY,
            0,
            List.of(1, 3),
            sources,
            Map.of());
    record.write(dir);
    return dir;
  }

  /** Settings of a short CPU run; {@code overrides} are {@code key=value}. */
  static Map<String, String> settings(Path model, Path shards, Path output, String... overrides) {
    Map<String, String> m = new TreeMap<>();
    m.put(TrainConfig.MODEL.name(), model.toString());
    m.put(TrainConfig.SHARDS.name(), shards.toString());
    m.put(TrainConfig.OUTPUT.name(), output.toString());
    m.put(TrainConfig.STEPS.name(), "4");
    m.put(TrainConfig.MICRO_BATCH_SIZE.name(), "2");
    m.put(TrainConfig.GLOBAL_BATCH_SIZE.name(), "4");
    m.put(TrainConfig.SEQ_LEN.name(), Integer.toString(SEQ_LEN));
    m.put(OptimizerSettings.LR.name(), "0.01");
    m.put(OptimizerSettings.MIN_LR.name(), "0.001");
    m.put(TrainConfig.CHECKPOINT_EVERY.name(), "2");
    m.put(TrainConfig.EVAL_EVERY.name(), "0");
    m.put(TrainConfig.EVAL_ROWS.name(), "4");
    m.put(TrainConfig.DEVICE.name(), "cpu");
    m.put("train.allreduce.timeout", "30s");
    for (String o : overrides) {
      int eq = o.indexOf('=');
      m.put(o.substring(0, eq), o.substring(eq + 1));
    }
    return m;
  }
}
