package org.llamapro.data.pack;

import java.io.Serializable;
import org.llamapro.shards.ShardManifest;

/**
 * Counts of one source in one split. Tokens include the BOS and EOS that packing adds. Conserved:
 * {@code tokensMixed == tokensInRows + tokensDropped}.
 */
public final class SourceCounts implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Documents read (each once, before mixing), empty ones included. */
  long documents;

  /** UTF-8 bytes of their text. */
  long bytes;

  /** Documents with an empty text: not packed. */
  long emptyDocuments;

  /** Documents whose text holds a literal special token such as {@code </s>}. */
  long specialTokenDocuments;

  /** Tokens of the documents, each once (before mixing). */
  long tokensBeforeMix;

  /** Copies of documents after mixing (up- or down-sampling). */
  long copies;

  /** Tokens after mixing: each document's tokens times its copies. */
  long tokensMixed;

  /** Tokens that landed in rows. */
  long tokensInRows;

  /** Tokens lost in the partial last row of a packing unit (tail policy drop). */
  long tokensDropped;

  void add(SourceCounts other) {
    documents += other.documents;
    bytes += other.bytes;
    emptyDocuments += other.emptyDocuments;
    specialTokenDocuments += other.specialTokenDocuments;
    tokensBeforeMix += other.tokensBeforeMix;
    copies += other.copies;
    tokensMixed += other.tokensMixed;
    tokensInRows += other.tokensInRows;
    tokensDropped += other.tokensDropped;
  }

  public long documents() {
    return documents;
  }

  public long bytes() {
    return bytes;
  }

  public long emptyDocuments() {
    return emptyDocuments;
  }

  public long specialTokenDocuments() {
    return specialTokenDocuments;
  }

  public long tokensBeforeMix() {
    return tokensBeforeMix;
  }

  public long copies() {
    return copies;
  }

  public long tokensMixed() {
    return tokensMixed;
  }

  public long tokensInRows() {
    return tokensInRows;
  }

  public long tokensDropped() {
    return tokensDropped;
  }

  /** As written to manifest.json and summary.json. */
  public ShardManifest.SourceCounts toManifest() {
    return new ShardManifest.SourceCounts(
        documents,
        bytes,
        emptyDocuments,
        specialTokenDocuments,
        tokensBeforeMix,
        copies,
        tokensMixed,
        tokensInRows,
        tokensDropped);
  }

  @Override
  public String toString() {
    return toManifest().toString();
  }
}
