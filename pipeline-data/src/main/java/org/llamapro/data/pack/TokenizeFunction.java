package org.llamapro.data.pack;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;
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
final class TokenizeFunction
    implements PairFlatMapFunction<Iterator<InternalRow>, PackKey, PackDoc> {
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
  public Iterator<Tuple2<PackKey, PackDoc>> call(Iterator<InternalRow> documents) {
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

      // Spark's internal rows: the text's UTF-8 length comes free, and no Row object per document.
      private void encode(InternalRow row) {
        String id = string(row, 0);
        String source = string(row, 1);
        UTF8String utf8 = row.isNullAt(2) ? null : row.getUTF8String(2);
        if (id == null || source == null || utf8 == null) {
          // Reported by the driver once the whole input has been seen (TokenizePackStage).
          counts.addNullRow(source);
          return;
        }
        String text = utf8.toString();
        counts.addFingerprint(Fingerprint.of(id, string(row, 3)));
        boolean validation = Sampling.heldOut(id, options.holdoutFraction());
        String split = validation ? PackCounts.VALIDATION : PackCounts.TRAIN;
        SourceCounts c = counts.source(split, source);
        c.documents++;
        c.bytes += utf8.numBytes();
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

  private static String string(InternalRow row, int column) {
    return row.isNullAt(column) ? null : row.getUTF8String(column).toString();
  }
}
