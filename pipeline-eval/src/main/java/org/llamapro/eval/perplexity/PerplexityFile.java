package org.llamapro.eval.perplexity;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.llamapro.io.JsonFiles;

/**
 * The report of {@code pipeline eval perplexity} (printed, and written by {@code --output}; the
 * demo's {@code eval/<model>-<table>.json}): one model's perplexity on one split of a shard table,
 * per source and over all sources. A figure with nothing scored is null, never NaN.
 */
public record PerplexityFile(
    String model,
    String shards,
    long shardVersion,
    String split,
    long rows,
    Map<String, Figures> sources,
    Figures all) {

  /** The figures of one source; null where no token (or byte) was scored. */
  public record Figures(
      long tokens,
      long bytes,
      Double nllPerToken,
      Double tokenPerplexity,
      Double bytePerplexity,
      Double bitsPerByte) {
    public static Figures of(SourcePerplexity s) {
      boolean tokens = s.tokens() > 0;
      boolean bytes = s.bytes() > 0;
      return new Figures(
          s.tokens(),
          s.bytes(),
          tokens ? s.nll() / s.tokens() : null,
          tokens ? s.tokenPerplexity() : null,
          bytes ? s.bytePerplexity() : null,
          bytes ? s.bitsPerByte() : null);
    }

    /** The value, or NaN where it is undefined (nothing scored). */
    public static double orNaN(Double value) {
      return value == null ? Double.NaN : value;
    }
  }

  public static PerplexityFile of(PerplexityReport report) {
    Map<String, Figures> sources = new TreeMap<>();
    report.sources().forEach((name, figures) -> sources.put(name, Figures.of(figures)));
    return new PerplexityFile(
        report.model(),
        report.shards(),
        report.shardVersion(),
        report.split(),
        report.rows(),
        sources,
        Figures.of(report.all()));
  }

  public static PerplexityFile read(Path file) {
    return JsonFiles.read(file, PerplexityFile.class, "perplexity report");
  }

  public void write(Path file) {
    JsonFiles.write(file, this);
  }
}
