package org.llamapro.cli.demo;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.llamapro.eval.perplexity.PerplexityReport;
import org.llamapro.eval.perplexity.SourcePerplexity;
import org.llamapro.io.JsonFiles;

/**
 * {@code eval/<model>-<table>.json}: one model's perplexity on one validation table, per source and
 * over all sources, in the layout of {@code pipeline eval perplexity --output}.
 */
record PerplexityFile(
    String model,
    String shards,
    long shardVersion,
    String split,
    long rows,
    Map<String, Figures> sources,
    Figures all) {

  /** The figures of one source; null where no token (or byte) was scored. */
  record Figures(
      long tokens,
      long bytes,
      Double nllPerToken,
      Double tokenPerplexity,
      Double bytePerplexity,
      Double bitsPerByte) {
    static Figures of(SourcePerplexity s) {
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
    static double orNaN(Double value) {
      return value == null ? Double.NaN : value;
    }
  }

  static PerplexityFile of(PerplexityReport report) {
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

  static PerplexityFile read(Path file) {
    return JsonFiles.read(file, PerplexityFile.class, "perplexity report");
  }

  void write(Path file) {
    JsonFiles.write(file, this);
  }
}
