package org.llamapro.data.inspect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Counts of one split of a shard table, computed from its rows. */
public final class ShardStats {
  long rows;
  long tokens;
  long padTokens;
  final TreeMap<String, Long> tokensBySource = new TreeMap<>();
  final TreeMap<String, Long> documentsBySource = new TreeMap<>();
  long incompleteDocuments;

  /** Power-of-two bucket upper bound (tokens, BOS/EOS included) -> complete documents. */
  final TreeMap<Long, Long> lengthHistogram = new TreeMap<>();

  public long rows() {
    return rows;
  }

  public long tokens() {
    return tokens;
  }

  public long padTokens() {
    return padTokens;
  }

  public Map<String, Long> tokensBySource() {
    return java.util.Collections.unmodifiableMap(tokensBySource);
  }

  public Map<String, Long> documentsBySource() {
    return java.util.Collections.unmodifiableMap(documentsBySource);
  }

  public long incompleteDocuments() {
    return incompleteDocuments;
  }

  public Map<Long, Long> lengthHistogram() {
    return java.util.Collections.unmodifiableMap(lengthHistogram);
  }

  void addDocument(ShardDocument document) {
    documentsBySource.merge(document.source(), 1L, Long::sum);
    if (!document.complete()) {
      incompleteDocuments++;
      return;
    }
    long bucket = Long.highestOneBit(Math.max(1, document.ids().length - 1)) * 2;
    lengthHistogram.merge(bucket, 1L, Long::sum);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("rows", rows);
    map.put("tokens", tokens);
    map.put("pad_tokens", padTokens);
    map.put("tokens_by_source", tokensBySource);
    map.put("documents_by_source", documentsBySource);
    map.put("incomplete_documents", incompleteDocuments);
    Map<String, Long> histogram = new LinkedHashMap<>();
    lengthHistogram.forEach((upper, count) -> histogram.put("<=" + upper, count));
    map.put("document_length_histogram", histogram);
    return map;
  }

  /** A few lines for a terminal or a notebook cell. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("  rows %,d  tokens %,d  pad %,d%n", rows, tokens, padTokens));
    tokensBySource.forEach(
        (source, n) ->
            out.append(
                String.format(
                    "  %-20s %,15d tokens %6.2f%%  %,d documents%n",
                    source,
                    n,
                    tokens == 0 ? 0.0 : 100.0 * n / tokens,
                    documentsBySource.getOrDefault(source, 0L))));
    long max = lengthHistogram.values().stream().mapToLong(Long::longValue).max().orElse(1);
    out.append("  document length (tokens):\n");
    lengthHistogram.forEach(
        (upper, count) ->
            out.append(
                String.format(
                    "  %10s %,10d %s%n",
                    "<=" + upper, count, "#".repeat((int) Math.max(1, 40 * count / max)))));
    if (incompleteDocuments > 0) {
      out.append(String.format("  %,d documents cut off by a dropped tail%n", incompleteDocuments));
    }
    return out.toString();
  }
}
