package org.llamapro.eval.perplexity;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.shards.ShardReader;
import org.llamapro.shards.ShardRow;
import org.llamapro.shards.ShardTable;
import org.llamapro.train.model.LlamaModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token perplexity, byte perplexity and bits per byte of a model on the packed rows of a shard
 * split, per source. Rows are the disjoint windows (each row is seq-len tokens, the model's context
 * for it). A target token counts for the source of the document it belongs to; the first token of
 * each segment is not a target (it has no context inside the row), nor is padding. Bytes are the
 * UTF-8 bytes of the counted tokens' text, so bits per byte compare across tokenizers.
 */
public final class PerplexityEvaluator {
  private static final Logger LOG = LoggerFactory.getLogger(PerplexityEvaluator.class);

  private final LlamaModel model;
  private final LlamaTokenizer tokenizer;
  private final int batchSize;

  public PerplexityEvaluator(LlamaModel model, LlamaTokenizer tokenizer, int batchSize) {
    this.model = requireNonNull(model, "model is null");
    this.tokenizer = requireNonNull(tokenizer, "tokenizer is null");
    if (batchSize <= 0) {
      throw new IllegalArgumentException("Invalid batch size: " + batchSize + " (must be > 0)");
    }
    this.batchSize = batchSize;
  }

  /** Evaluates up to {@code maxRows} rows (all when {@code maxRows <= 0}) of {@code split}. */
  public PerplexityReport evaluate(ShardTable table, String split, long maxRows, String modelName) {
    if (!table.splits().contains(split)) {
      throw new IllegalArgumentException(
          "Shard table "
              + table.path()
              + " has no split '"
              + split
              + "' (it has "
              + table.splits()
              + ")");
    }
    int seqLen = table.seqLen();
    if (seqLen > model.config().maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "Rows of "
              + seqLen
              + " tokens are longer than the model's max_position_embeddings ("
              + model.config().maxPositionEmbeddings()
              + ")");
    }
    Map<String, SourcePerplexity> sources = new HashMap<>();
    long total = maxRows > 0 ? Math.min(maxRows, table.rowCount(split)) : table.rowCount(split);
    long done = 0;
    long started = System.nanoTime();
    long lastLog = started;
    try (ShardReader reader = table.rows(split)) {
      List<ShardRow> batch = new ArrayList<>();
      while (reader.hasNext() && done + batch.size() < total) {
        batch.add(reader.next());
        if (batch.size() == batchSize || done + batch.size() == total) {
          score(batch, sources);
          done += batch.size();
          batch.clear();
          if (System.nanoTime() - lastLog > 10_000_000_000L) {
            lastLog = System.nanoTime();
            LOG.info(
                "perplexity: {} / {} rows ({}%)", done, total, done * 100 / Math.max(1, total));
          }
        }
      }
      if (!batch.isEmpty()) {
        score(batch, sources);
        done += batch.size();
      }
    }
    LOG.info(
        "perplexity: {} rows of {} in {} s",
        done,
        split,
        String.format("%.1f", (System.nanoTime() - started) / 1e9));
    return new PerplexityReport(modelName, table.path(), table.version(), split, done, sources);
  }

  private void score(List<ShardRow> rows, Map<String, SourcePerplexity> sources) {
    int length = rows.get(0).seqLen();
    long vocab = model.config().vocabSize();
    long[][] ids = new long[rows.size()][length];
    for (int b = 0; b < rows.size(); b++) {
      int[] input = rows.get(b).inputIds();
      for (int t = 0; t < length; t++) {
        if (input[t] < 0 || input[t] >= vocab) {
          throw new IllegalArgumentException(
              "Shard row "
                  + rows.get(b).row()
                  + " has token id "
                  + input[t]
                  + ", outside the model's vocabulary of "
                  + vocab);
        }
        ids[b][t] = input[t];
      }
    }
    float[] nll; // (B * (T-1)): NLL of predicting position t+1 from positions <= t
    try (NDManager call = model.manager().newSubManager()) {
      NDArray input = call.create(ids); // (B, T)
      NDArray logits = model.forward(input, null).toType(DataType.FLOAT32, false); // (B, T, V)
      NDArray logProbs = logits.get(new NDIndex(":, :-1, :")).logSoftmax(2); // (B, T-1, V)
      NDArray targets = input.get(new NDIndex(":, 1:")).expandDims(2); // (B, T-1, 1)
      nll = logProbs.gather(targets, 2).neg().toFloatArray(); // (B * (T-1))
    }
    for (int b = 0; b < rows.size(); b++) {
      ShardRow row = rows.get(b);
      for (int s = 0; s < row.segments(); s++) {
        int start = row.docStarts()[s];
        int end = Math.min(row.segmentEnd(s), row.numTokens());
        if (end - start < 2) {
          continue;
        }
        double sum = 0;
        for (int j = start + 1; j < end; j++) {
          sum += nll[b * (length - 1) + j - 1];
        }
        int[] counted = Arrays.copyOfRange(row.inputIds(), start + 1, end);
        long bytes = tokenizer.decode(counted, true).getBytes(StandardCharsets.UTF_8).length;
        sources.merge(
            row.docSources().get(s),
            new SourcePerplexity(sum, end - start - 1, bytes),
            SourcePerplexity::plus);
      }
    }
  }
}
