package org.llamapro.data.ingest;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.Locale;

/**
 * One input file as listed on the driver: its source, its fully qualified URI, its path relative to
 * the source's root (which goes into document ids), and what it holds.
 */
public record InputFile(
    String source, String uri, String relativePath, long length, long modificationTime)
    implements Serializable {

  /** How a file is read, from its name. */
  public enum Format {
    JSONL,
    JSONL_GZIP,
    JSONL_ZSTD,
    PARQUET
  }

  public InputFile {
    requireNonNull(source, "source is null");
    requireNonNull(uri, "uri is null");
    requireNonNull(relativePath, "relativePath is null");
  }

  public Format format() {
    Format format = formatOf(uri);
    if (format == null) {
      throw new IllegalStateException("Unsupported input file: " + uri);
    }
    return format;
  }

  /** The format of a file name, or null when ingest does not read such files. */
  public static Format formatOf(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet")) {
      return Format.PARQUET;
    }
    if (lower.endsWith(".jsonl.zst") || lower.endsWith(".json.zst")) {
      return Format.JSONL_ZSTD;
    }
    if (lower.endsWith(".jsonl.gz") || lower.endsWith(".json.gz")) {
      return Format.JSONL_GZIP;
    }
    if (lower.endsWith(".jsonl") || lower.endsWith(".json")) {
      return Format.JSONL;
    }
    return null;
  }

  /**
   * The stable document id of a record in this file: {@code <source>/<relative path>#<position>}
   * (1-based line for JSON Lines, 0-based row for Parquet).
   */
  public String idOf(long position) {
    return source + "/" + relativePath + "#" + position;
  }
}
