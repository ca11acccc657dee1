package org.llamapro.bench.corpus;

/** A document of the demo corpus, whatever its format: a JSON line or a Stack Parquet row. */
interface CorpusDoc {
  String text();
}
