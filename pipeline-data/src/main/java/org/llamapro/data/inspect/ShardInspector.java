package org.llamapro.data.inspect;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.data.tokenize.TokenizerFile;
import org.llamapro.shards.ShardBuild;
import org.llamapro.shards.ShardCursor;
import org.llamapro.shards.ShardReader;
import org.llamapro.shards.ShardRow;
import org.llamapro.shards.ShardTable;

/**
 * The notebook and CLI view of a shard table: statistics, sample rows, rows decoded to text with
 * document boundaries marked, documents put back together.
 *
 * <pre>{@code
 * try (ShardInspector shards = ShardInspector.open("out/shards")) {
 *   System.out.println(shards.stats().get("train").toText());
 *   for (ShardRow row : shards.sample(3, 42)) System.out.println(shards.decode(row));
 * }
 * }</pre>
 */
public final class ShardInspector implements AutoCloseable {
  private final ShardTable table;
  private final LlamaTokenizer tokenizer;

  private ShardInspector(ShardTable table, LlamaTokenizer tokenizer) {
    this.table = table;
    this.tokenizer = tokenizer;
  }

  /** The latest version of the table; the tokenizer recorded in its build, else the bundled one. */
  public static ShardInspector open(String path) {
    return open(ShardTable.open(path), null);
  }

  /** {@code tokenizer} null: the one the build recorded if that file exists, else the bundled. */
  public static ShardInspector open(ShardTable table, Path tokenizer) {
    requireNonNull(table, "table is null");
    Path file = tokenizer;
    if (file == null && table.build() != null) {
      String recorded = table.build().tokenizer().path();
      if (recorded != null && !recorded.isEmpty() && Files.isRegularFile(Path.of(recorded))) {
        file = Path.of(recorded);
      }
    }
    TokenizerFile tokenizerFile = TokenizerFile.readOrBundled(file);
    return new ShardInspector(table, LlamaTokenizer.load(tokenizerFile));
  }

  public ShardTable table() {
    return table;
  }

  /** Whether the tokenizer in use is the file the table was built with (SHA-256 match). */
  public boolean tokenizerMatches() {
    ShardBuild build = table.build();
    return build != null && tokenizer.sha256().equals(build.tokenizer().sha256());
  }

  /** Statistics per split. Reads every row (without their tokens). */
  public Map<String, ShardStats> stats() {
    Map<String, ShardStats> bySplit = new LinkedHashMap<>();
    for (String split : table.splits()) {
      ShardStats stats = new ShardStats();
      try (ShardReader rows = table.rows(split)) {
        Iterator<ShardRow> counting =
            new Iterator<>() {
              @Override
              public boolean hasNext() {
                return rows.hasNext();
              }

              @Override
              public ShardRow next() {
                ShardRow row = rows.next();
                stats.rows++;
                stats.tokens += row.numTokens();
                stats.padTokens += row.seqLen() - row.numTokens();
                for (int s = 0; s < row.segments(); s++) {
                  stats.tokensBySource.merge(
                      row.docSources().get(s),
                      (long) row.segmentEnd(s) - row.docStarts()[s],
                      Long::sum);
                }
                return row;
              }
            };
        DocumentAssembler documents = new DocumentAssembler(counting);
        while (documents.hasNext()) {
          stats.addDocument(documents.next());
        }
      }
      bySplit.put(split, stats);
    }
    return bySplit;
  }

  /** The first {@code n} rows of {@code split} (all splits for null) in table order. */
  public List<ShardRow> head(String split, int n) {
    List<ShardRow> out = new ArrayList<>();
    try (ShardReader rows = table.rows(split)) {
      while (rows.hasNext() && out.size() < n) {
        out.add(rows.next());
      }
    }
    return out;
  }

  /** {@code n} rows of {@code split} in the seeded training order (epoch 0, one rank). */
  public List<ShardRow> sample(String split, int n, long seed) {
    List<ShardRow> out = new ArrayList<>();
    try (ShardReader rows = table.rows(split, seed, 0, 1, ShardCursor.START)) {
      while (rows.hasNext() && out.size() < n) {
        out.add(rows.next());
      }
    }
    return out;
  }

  /** Documents of {@code split} put back together, in table order. */
  public Iterator<ShardDocument> documents(String split) {
    return new DocumentAssembler(table.rows(split));
  }

  /** The text of a document (without the BOS and EOS that packing added). */
  public String text(ShardDocument document) {
    boolean bos = table.build() == null || "document".equals(table.build().specialTokens().bos());
    return tokenizer.decode(document.bodyIds(bos), false);
  }

  /**
   * A row as text, each segment introduced by {@code ⟦source id⟧} ({@code ⟦… id⟧} when it continues
   * from the previous row); BOS and EOS show as {@code <s>} and {@code </s>}.
   */
  public String decode(ShardRow row) {
    StringBuilder out = new StringBuilder();
    for (int s = 0; s < row.segments(); s++) {
      int[] ids =
          java.util.Arrays.copyOfRange(row.inputIds(), row.docStarts()[s], row.segmentEnd(s));
      out.append(s == 0 && row.firstContinues() ? "⟦… " : "⟦")
          .append(row.docSources().get(s))
          .append(' ')
          .append(row.docIds().get(s))
          .append("⟧")
          .append(tokenizer.decode(ids, false));
    }
    if (row.numTokens() < row.seqLen()) {
      out.append("⟦pad × ").append(row.seqLen() - row.numTokens()).append("⟧");
    }
    return out.toString();
  }

  /** What {@code shards inspect --json} prints: table, counts per split, the first rows. */
  public Map<String, Object> report(int rows, boolean decode) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("table", table.path());
    report.put("version", table.version());
    report.put("seq_len", table.seqLen());
    report.put("tokenizer", table.build() == null ? null : table.build().tokenizer());
    report.put("tokenizer_matches", tokenizerMatches());
    Map<String, Object> splits = new LinkedHashMap<>();
    stats().forEach((split, stats) -> splits.put(split, stats.toMap()));
    report.put("splits", splits);
    List<Map<String, Object>> sample = new ArrayList<>();
    for (ShardRow row : head(null, rows)) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("split", row.split());
      entry.put("unit", row.unit());
      entry.put("row", row.row());
      entry.put("num_tokens", row.numTokens());
      entry.put("doc_starts", row.docStarts());
      entry.put("doc_sources", row.docSources());
      entry.put("doc_ids", row.docIds());
      entry.put("first_continues", row.firstContinues());
      if (decode) {
        entry.put("text", decode(row));
      } else {
        entry.put(
            "input_ids_head", java.util.Arrays.copyOf(row.inputIds(), Math.min(16, row.seqLen())));
      }
      sample.add(entry);
    }
    report.put("rows", sample);
    return report;
  }

  /** What {@code shards inspect} prints: the same as {@link #report} for a terminal. */
  public String reportText(int rows, boolean decode) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "table %s  version %d  seq-len %d%n", table.path(), table.version(), table.seqLen()));
    if (table.build() != null) {
      out.append(
          String.format(
              "tokenizer %s (sha256 %s)%s%n",
              table.build().tokenizer().path(),
              table.build().tokenizer().sha256(),
              tokenizerMatches() ? "" : "  [decoding with a different tokenizer]"));
    }
    stats().forEach((split, stats) -> out.append(split).append(":\n").append(stats.toText()));
    for (ShardRow row : head(null, rows)) {
      out.append(
          String.format(
              "%n--- %s unit %d row %d: %d tokens, %d segments, starts %s%n",
              row.split(),
              row.unit(),
              row.row(),
              row.numTokens(),
              row.segments(),
              java.util.Arrays.toString(row.docStarts())));
      if (decode) {
        out.append(decode(row)).append('\n');
      } else {
        out.append(
                java.util.Arrays.toString(
                    java.util.Arrays.copyOf(row.inputIds(), Math.min(16, row.seqLen()))))
            .append(" ...\n");
      }
    }
    return out.toString();
  }

  public LlamaTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
