package org.llamapro.data.pack;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.data.tokenize.TokenizerCache;
import org.llamapro.data.tokenize.TokenizerFile;
import scala.Tuple2;

/**
 * Executor side of tokenize + mix: for each document (id, source, text, content hash) picks its
 * split, encodes it through the executor's one tokenizer, and emits one keyed copy per mixture
 * copy, keyed by its seeded position. Counts what sizes the packing units (text bytes per split and
 * source), rows that break the documents contract, and the input's fingerprint.
 */
final class TokenizeFunction implements PairFlatMapFunction<Iterator<Row>, PackKey, PackDoc> {
  private static final long serialVersionUID = 1L;

  private final PackOptions options;
  private final String tokenizerName;
  private final String tokenizerSha256;
  private final Broadcast<byte[]> tokenizerJson;
  private final Buckets buckets;
  private final CollectionAccumulator<TaskCounts> reports;

  TokenizeFunction(
      PackOptions options,
      String tokenizerName,
      String tokenizerSha256,
      Broadcast<byte[]> tokenizerJson,
      Buckets buckets,
      CollectionAccumulator<TaskCounts> reports) {
    this.options = options;
    this.tokenizerName = tokenizerName;
    this.tokenizerSha256 = tokenizerSha256;
    this.tokenizerJson = tokenizerJson;
    this.buckets = buckets;
    this.reports = reports;
  }

  @Override
  public Iterator<Tuple2<PackKey, PackDoc>> call(Iterator<Row> documents) {
    LlamaTokenizer tokenizer =
        TokenizerCache.get(
            tokenizerSha256, () -> TokenizerFile.of(tokenizerName, tokenizerJson.value()));
    String key = "tokenize-" + TaskContext.getPartitionId();
    return new Iterator<>() {
      private final ArrayDeque<Tuple2<PackKey, PackDoc>> pending = new ArrayDeque<>();
      private final PackCounts counts = new PackCounts();
      private boolean reported;
      private final long started = System.nanoTime();

      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && documents.hasNext()) {
          encode(documents.next());
        }
        if (pending.isEmpty() && !reported) {
          reported = true;
          counts.nanos[1] += System.nanoTime() - started;
          reports.add(new TaskCounts(key, counts));
        }
        return !pending.isEmpty();
      }

      @Override
      public Tuple2<PackKey, PackDoc> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return pending.poll();
      }

      private void encode(Row row) {
        String id = row.getString(0);
        String source = row.getString(1);
        String text = row.getString(2);
        if (id == null || source == null || text == null) {
          // Reported by the driver once the whole input has been seen (TokenizePackStage).
          counts.addNullRow(source);
          return;
        }
        counts.addFingerprint(Fingerprint.of(id, row.getString(3)));
        boolean validation = Sampling.heldOut(id, options.holdoutFraction());
        String split = validation ? PackCounts.VALIDATION : PackCounts.TRAIN;
        SourceCounts c = counts.source(split, source);
        c.documents++;
        c.bytes += utf8Length(text);
        if (text.isEmpty()) {
          c.emptyDocuments++;
          return;
        }
        long t0 = System.nanoTime();
        int[] ids = tokenizer.encodeDocument(text, false, options.maxPieceChars());
        counts.nanos[0] += System.nanoTime() - t0;
        for (int id2 : ids) {
          if (id2 == LlamaTokenizer.EOS_ID || id2 == LlamaTokenizer.BOS_ID) {
            c.specialTokenDocuments++;
            break;
          }
        }
        int packed = RowPacker.packedLength(ids.length, options.bos());
        c.tokensBeforeMix += packed;
        int copies = validation ? 1 : Sampling.copies(options.seed(), id, options.weight(source));
        c.copies += copies;
        c.tokensMixed += (long) packed * copies;
        PackDoc doc = PackDoc.of(source, ids);
        for (int copy = 0; copy < copies; copy++) {
          long position = Sampling.position(options.seed(), id, copy);
          PackKey key = new PackKey(buckets.partition(split, position), position, id, copy);
          pending.add(new Tuple2<>(key, doc));
        }
      }
    };
  }

  static long utf8Length(String text) {
    long n = 0;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch < 0x80) {
        n++;
      } else if (ch < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(ch)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
