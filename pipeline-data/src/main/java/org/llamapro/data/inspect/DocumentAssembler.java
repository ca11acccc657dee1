package org.llamapro.data.inspect;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.shards.ShardRow;

/** Puts documents back together from rows in table order (split, unit, row). */
final class DocumentAssembler implements Iterator<ShardDocument> {
  private final Iterator<ShardRow> rows;
  private final ArrayDeque<ShardDocument> ready = new ArrayDeque<>();
  private String split;
  private int unit = -1;
  private String id;
  private String source;
  private int[] ids = new int[256];
  private int size;

  DocumentAssembler(Iterator<ShardRow> rows) {
    this.rows = rows;
  }

  @Override
  public boolean hasNext() {
    while (ready.isEmpty() && rows.hasNext()) {
      add(rows.next());
    }
    if (ready.isEmpty() && id != null) {
      flush();
    }
    return !ready.isEmpty();
  }

  @Override
  public ShardDocument next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  private void add(ShardRow row) {
    if (unit != row.unit() || !row.split().equals(split)) {
      flush();
      split = row.split();
      unit = row.unit();
    }
    for (int s = 0; s < row.segments(); s++) {
      if (s > 0 || !row.firstContinues()) {
        flush();
        id = row.docIds().get(s);
        source = row.docSources().get(s);
      }
      int from = row.docStarts()[s];
      int to = row.segmentEnd(s);
      if (size + (to - from) > ids.length) {
        ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + to - from));
      }
      System.arraycopy(row.inputIds(), from, ids, size, to - from);
      size += to - from;
    }
  }

  private void flush() {
    if (id != null) {
      boolean complete = size > 0 && ids[size - 1] == LlamaTokenizer.EOS_ID;
      ready.add(new ShardDocument(split, id, source, Arrays.copyOf(ids, size), complete));
    }
    id = null;
    source = null;
    size = 0;
  }
}
