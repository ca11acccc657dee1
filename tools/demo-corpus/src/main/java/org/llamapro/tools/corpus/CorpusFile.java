package org.llamapro.tools.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** One output file of the corpus: its path under the corpus root and its documents in order. */
final class CorpusFile {
  private final String path;
  private final List<CorpusDoc> docs = new ArrayList<>();

  CorpusFile(String path) {
    this.path = path;
  }

  String path() {
    return path;
  }

  List<CorpusDoc> docs() {
    return docs;
  }

  boolean isParquet() {
    return path.endsWith(".parquet");
  }

  /** Inserts a planted copy at a seeded position, so copies do not sit next to their originals. */
  void insertAtRandom(CorpusDoc doc, SplittableRandom random) {
    docs.add(random.nextInt(docs.size() + 1), doc);
  }

  /** The 0-based row (Parquet) or line (jsonl) of this exact object, or -1. */
  int indexOf(CorpusDoc doc) {
    for (int i = 0; i < docs.size(); i++) {
      if (docs.get(i) == doc) {
        return i;
      }
    }
    return -1;
  }
}
