package org.llamapro.train.allreduce;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;

/**
 * The {@code train.allreduce.*} settings, resolved once on the driver; small and serializable so a
 * Spark task can receive it.
 *
 * @param timeout longest time any socket operation may make no progress before the peer is declared
 *     dead (also bounds connecting at start-up); must exceed the worst skew between ranks reaching
 *     the same all-reduce
 * @param chunkBytes bytes on the wire per chunk, the unit of pipelining
 * @param bucketBytes F32 bytes of gradient reduced as one ring pass (well under 2 GiB)
 * @param wireType element type on the wire
 */
public record AllReduceConfig(Duration timeout, int chunkBytes, long bucketBytes, WireType wireType)
    implements Serializable {
  public static final String TIMEOUT = "train.allreduce.timeout";
  public static final Duration TIMEOUT_DEFAULT = Duration.ofSeconds(60);
  public static final String CHUNK_BYTES = "train.allreduce.chunk-bytes";
  public static final int CHUNK_BYTES_DEFAULT = 4 << 20;
  public static final String BUCKET_BYTES = "train.allreduce.bucket-bytes";
  public static final long BUCKET_BYTES_DEFAULT = 256L << 20;
  public static final String WIRE_DTYPE = "train.allreduce.wire-dtype";
  public static final WireType WIRE_DTYPE_DEFAULT = WireType.F32;

  /** Every key this record reads, for {@link Settings#requireKnown}. */
  public static final List<String> KEYS = List.of(TIMEOUT, CHUNK_BYTES, BUCKET_BYTES, WIRE_DTYPE);

  static final int MIN_CHUNK_BYTES = 1024;
  static final int MAX_CHUNK_BYTES = 256 << 20;
  static final long MAX_BUCKET_BYTES = 1L << 30;

  public AllReduceConfig {
    requireNonNull(timeout, "timeout is null");
    requireNonNull(wireType, "wireType is null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "Invalid all-reduce timeout: " + timeout + " (must be > 0)");
    }
    if (chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException(
          "Invalid all-reduce chunk size: "
              + chunkBytes
              + " bytes (must be "
              + MIN_CHUNK_BYTES
              + ".."
              + MAX_CHUNK_BYTES
              + ")");
    }
    if (bucketBytes < 4 || bucketBytes > MAX_BUCKET_BYTES) {
      throw new IllegalArgumentException(
          "Invalid all-reduce bucket size: "
              + bucketBytes
              + " bytes (must be 4.."
              + MAX_BUCKET_BYTES
              + ", well under the 2 GiB buffer limit)");
    }
  }

  public static AllReduceConfig defaults() {
    return new AllReduceConfig(
        TIMEOUT_DEFAULT, CHUNK_BYTES_DEFAULT, BUCKET_BYTES_DEFAULT, WIRE_DTYPE_DEFAULT);
  }

  /** Reads the {@code train.allreduce.*} keys; missing keys take their defaults. */
  public static AllReduceConfig from(Settings settings) {
    requireNonNull(settings, "settings is null");
    Duration timeout =
        settings.has(TIMEOUT)
            ? parseDuration(TIMEOUT, settings.getString(TIMEOUT, ""))
            : TIMEOUT_DEFAULT;
    long chunk = settings.getBytes(CHUNK_BYTES, CHUNK_BYTES_DEFAULT);
    long bucket = settings.getBytes(BUCKET_BYTES, BUCKET_BYTES_DEFAULT);
    WireType wire;
    try {
      wire =
          settings.has(WIRE_DTYPE)
              ? WireType.parse(WIRE_DTYPE, settings.getString(WIRE_DTYPE, ""))
              : WIRE_DTYPE_DEFAULT;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), e);
    }
    if (chunk < MIN_CHUNK_BYTES || chunk > MAX_CHUNK_BYTES) {
      throw new ConfigException(
          "Invalid "
              + CHUNK_BYTES
              + ": '"
              + settings.getString(CHUNK_BYTES, "")
              + "' (must be between 1KiB and 256MiB)");
    }
    if (bucket < 4 || bucket > MAX_BUCKET_BYTES) {
      throw new ConfigException(
          "Invalid "
              + BUCKET_BYTES
              + ": '"
              + settings.getString(BUCKET_BYTES, "")
              + "' (must be between 4B and 1GiB)");
    }
    return new AllReduceConfig(timeout, (int) chunk, bucket, wire);
  }

  /** Reads {@code 60s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
  static Duration parseDuration(String key, String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    try {
      Duration duration;
      if (value.endsWith("ms")) {
        duration = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2).trim()));
      } else if (value.endsWith("s")) {
        duration =
            Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1).trim()));
      } else if (value.endsWith("m")) {
        duration =
            Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1).trim()));
      } else if (value.endsWith("h")) {
        duration = Duration.ofHours(Long.parseLong(value.substring(0, value.length() - 1).trim()));
      } else {
        duration = Duration.ofSeconds(Long.parseLong(value));
      }
      if (duration.isZero() || duration.isNegative()) {
        throw new NumberFormatException();
      }
      return duration;
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "Invalid " + key + ": '" + text + "' (expected a positive duration such as 60s or 500ms)",
          e);
    }
  }
}
