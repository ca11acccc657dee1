package org.llamapro.data.pack;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.shards.ShardRow;

/**
 * Packs the documents of one unit, in the order given, into rows of exactly {@code seqLen} tokens:
 * each document is {@code [BOS] ids EOS} (BOS per {@link BosPolicy}); a document that does not fit
 * continues in the next row. The last partial row is dropped or padded ({@link TailPolicy}) and
 * counted. Pure Java: the Spark stage calls it once per unit.
 */
public final class RowPacker {
  private final String split;
  private final int unit;
  private final int seqLen;
  private final BosPolicy bos;
  private final TailPolicy tail;
  private final int padId;
  private final Consumer<ShardRow> sink;
  private final PackCounts counts;

  private int[] ids;
  private int filled;
  private long rowIndex;
  private final List<Integer> starts = new ArrayList<>();
  private final List<String> sources = new ArrayList<>();
  private final List<String> docIds = new ArrayList<>();
  private boolean firstContinues;

  public RowPacker(
      String split,
      int unit,
      int seqLen,
      BosPolicy bos,
      TailPolicy tail,
      int padId,
      PackCounts counts,
      Consumer<ShardRow> sink) {
    this.split = requireNonNull(split, "split is null");
    this.unit = unit;
    this.seqLen = seqLen;
    this.bos = requireNonNull(bos, "bos is null");
    this.tail = requireNonNull(tail, "tail is null");
    this.padId = padId;
    this.counts = requireNonNull(counts, "counts is null");
    this.sink = requireNonNull(sink, "sink is null");
    this.ids = new int[seqLen];
  }

  /** Tokens a document of {@code bodyLength} ids takes in rows under {@code bos}. */
  public static int packedLength(int bodyLength, BosPolicy bos) {
    return bodyLength + 1 + (bos == BosPolicy.DOCUMENT ? 1 : 0);
  }

  /** Appends one document copy: {@code body} are its ids without BOS or EOS. */
  public void add(String docId, String source, int[] body) {
    int total = packedLength(body.length, bos);
    int written = 0;
    boolean continuing = false;
    while (written < total) {
      if (filled == 0) {
        firstContinues = continuing;
      }
      starts.add(filled);
      sources.add(source);
      docIds.add(docId);
      int n = Math.min(total - written, seqLen - filled);
      for (int i = 0; i < n; i++) {
        ids[filled + i] = tokenAt(body, written + i, total);
      }
      filled += n;
      written += n;
      if (filled == seqLen) {
        emit(seqLen);
      }
      continuing = true;
    }
  }

  private int tokenAt(int[] body, int position, int total) {
    int offset = bos == BosPolicy.DOCUMENT ? 1 : 0;
    if (offset == 1 && position == 0) {
      return LlamaTokenizer.BOS_ID;
    }
    if (position == total - 1) {
      return LlamaTokenizer.EOS_ID;
    }
    return body[position - offset];
  }

  /** Flushes the partial last row per the tail policy. */
  public void finish() {
    if (filled == 0) {
      return;
    }
    if (tail == TailPolicy.PAD) {
      int real = filled;
      java.util.Arrays.fill(ids, filled, seqLen, padId);
      filled = seqLen;
      counts.addRows(split, 0, seqLen - real);
      emit(real);
    } else {
      for (int s = 0; s < starts.size(); s++) {
        int end = s + 1 < starts.size() ? starts.get(s + 1) : filled;
        counts.source(split, sources.get(s)).tokensDropped += end - starts.get(s);
      }
      clear();
    }
  }

  private void emit(int numTokens) {
    int[] docStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    for (int s = 0; s < docStarts.length; s++) {
      int end = s + 1 < docStarts.length ? docStarts[s + 1] : numTokens;
      counts.source(split, sources.get(s)).tokensInRows += end - docStarts[s];
    }
    counts.addRows(split, 1, 0);
    sink.accept(
        new ShardRow(
            split,
            unit,
            rowIndex++,
            ids,
            numTokens,
            docStarts,
            List.copyOf(sources),
            List.copyOf(docIds),
            firstContinues));
    ids = new int[seqLen];
    clear();
  }

  private void clear() {
    filled = 0;
    starts.clear();
    sources.clear();
    docIds.clear();
    firstContinues = false;
  }
}
