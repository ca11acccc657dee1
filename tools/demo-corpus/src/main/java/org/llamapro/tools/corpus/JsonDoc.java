package org.llamapro.tools.corpus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a Proof-Pile-2-shaped {@code jsonl.zst} file: {@code {"text": ..., "meta": {...}}}.
 * Identity matters: planted duplicates are located by the object, not by equal text.
 */
final class JsonDoc implements CorpusDoc {
  private final String text;
  private final Map<String, Object> meta;

  JsonDoc(String text, Map<String, Object> meta) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("Empty document text; meta: " + meta);
    }
    this.text = text;
    this.meta = new LinkedHashMap<>(meta);
  }

  @Override
  public String text() {
    return text;
  }

  Map<String, Object> meta() {
    return meta;
  }

  /** A copy with other text and the same meta plus {@code extra} entries. */
  JsonDoc withText(String newText, Map<String, Object> extra) {
    Map<String, Object> newMeta = new LinkedHashMap<>(meta);
    newMeta.putAll(extra);
    return new JsonDoc(newText, newMeta);
  }
}
