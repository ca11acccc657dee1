package org.llamapro.tools.corpus;

/** A document of the demo corpus, whatever its format: a JSON line or a Stack Parquet row. */
interface CorpusDoc {
  String text();
}
