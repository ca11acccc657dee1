package org.llamapro.eval.perplexity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.pack.TokenizePackStage;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.shards.ShardReader;
import org.llamapro.shards.ShardRow;
import org.llamapro.shards.ShardTable;
import org.llamapro.train.model.InitializedWeights;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;

class PerplexityEvaluatorTest {
  @TempDir static Path temp;
  static SparkSession spark;
  static ShardTable table;

  @BeforeAll
  static void shards() {
    spark = SparkSessions.smallLocal("perplexity-test");
    List<Row> docs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      docs.add(
          RowFactory.create(
              "code/" + i,
              "stack",
              "f",
              "def f" + i + "(x):\n    return x * " + i + "\n",
              "{}",
              "h" + i));
      docs.add(
          RowFactory.create(
              "prose/" + i,
              "english",
              "g",
              "The river runs past the old mill number " + i + ".",
              "{}",
              "p" + i));
    }
    PackOptions options =
        PackOptions.from(
            org.llamapro.config.Settings.of(
                Map.of("pack.seq-len", "24", "mix.holdout-fraction", "0.4", "pack.tail", "pad")));
    TokenizePackStage.run(
        spark,
        spark.createDataFrame(docs, DocumentColumns.SCHEMA),
        options,
        temp.resolve("out").toString());
    table = ShardTable.open(temp.resolve("out").toString());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static LlamaModel model() {
    LlamaConfig config =
        LlamaConfig.builder()
            .setVocabSize(32000)
            .setHiddenSize(32)
            .setIntermediateSize(64)
            .setNumHiddenLayers(2)
            .setNumAttentionHeads(4)
            .optRmsNormEps(1e-5)
            .optMaxPositionEmbeddings(64)
            .build();
    return LlamaModel.load(
        config, new InitializedWeights(config, 1, 0.02), Device.cpu(), DataType.FLOAT32);
  }

  @Test
  void countsEveryInDocumentTargetPerSourceAndIsNearUniformForAnUntrainedModel() {
    long expectedTokens = 0;
    try (ShardReader rows = table.rows("validation")) {
      while (rows.hasNext()) {
        ShardRow row = rows.next();
        for (int s = 0; s < row.segments(); s++) {
          expectedTokens +=
              Math.max(0, Math.min(row.segmentEnd(s), row.numTokens()) - row.docStarts()[s] - 1);
        }
      }
    }
    try (LlamaModel model = model();
        LlamaTokenizer tokenizer = LlamaTokenizer.bundled()) {
      PerplexityReport report =
          new PerplexityEvaluator(model, tokenizer, 3).evaluate(table, "validation", 0, "tiny");
      assertEquals(java.util.Set.of("english", "stack"), report.sources().keySet());
      assertEquals(expectedTokens, report.all().tokens());
      assertEquals(table.rowCount("validation"), report.rows());
      // Weights ~ N(0, 0.02): logits are nearly flat over 32000 ids.
      double perplexity = report.all().tokenPerplexity();
      assertTrue(perplexity > 25000 && perplexity < 40000, "perplexity " + perplexity);
      SourcePerplexity english = report.sources().get("english");
      assertTrue(english.bytes() > english.tokens(), "English averages more than a byte per token");
      assertEquals(english.nll() / english.bytes() / Math.log(2), english.bitsPerByte(), 1e-12);
      // Batching does not change the result.
      PerplexityReport single =
          new PerplexityEvaluator(model, tokenizer, 1).evaluate(table, "validation", 0, "tiny");
      assertEquals(report.all().nll(), single.all().nll(), 1e-3 * Math.abs(report.all().nll()));
      assertEquals(report.all().bytes(), single.all().bytes());
    }
  }

  @Test
  void refusesUnknownSplit() {
    try (LlamaModel model = model();
        LlamaTokenizer tokenizer = LlamaTokenizer.bundled()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new PerplexityEvaluator(model, tokenizer, 2).evaluate(table, "test", 0, "tiny"));
      assertTrue(
          e.getMessage().contains("has no split 'test' (it has [train, validation])"),
          e.getMessage());
    }
  }
}
