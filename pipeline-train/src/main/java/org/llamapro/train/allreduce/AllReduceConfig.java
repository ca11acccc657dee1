package org.llamapro.train.allreduce;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;

/**
 * The {@code train.allreduce.*} settings, resolved once on the driver; small and serializable so a
 * Spark task can receive it. Every rank of a ring must use the same values (the handshake checks).
 */
public final class AllReduceConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final ConfigKey<String> TIMEOUT =
      ConfigKey.ofString(
          "train.allreduce.timeout",
          "60s",
          "How long a connection may make no progress before its peer counts as dead (60s, 500ms,"
              + " 2m); must exceed the worst skew between ranks reaching the same all-reduce.");
  public static final ConfigKey<Long> CHUNK_BYTES =
      ConfigKey.ofBytes(
          "train.allreduce.chunk-bytes",
          4L << 20,
          "Bytes on the wire per chunk, the unit of pipelining (1KiB..256MiB).");
  public static final ConfigKey<Long> BUCKET_BYTES =
      ConfigKey.ofBytes(
          "train.allreduce.bucket-bytes",
          256L << 20,
          "Gradient bytes (as F32) reduced in one pass around the ring (4B..1GiB).");
  public static final ConfigKey<String> WIRE_DTYPE =
      ConfigKey.ofString(
          "train.allreduce.wire-dtype",
          "f32",
          "Element type of gradients on the wire: f32 (exact) or f16 (half the bytes).");

  public static final ConfigKeys KEYS =
      ConfigKeys.of(
          "All-reduce (gradient exchange between ranks)",
          List.of("train.allreduce"),
          TIMEOUT,
          CHUNK_BYTES,
          BUCKET_BYTES,
          WIRE_DTYPE);

  static final int MIN_CHUNK_BYTES = 1024;
  static final int MAX_CHUNK_BYTES = 256 << 20;
  static final long MAX_BUCKET_BYTES = 1L << 30;

  private final Duration timeout;
  private final int chunkBytes;
  private final long bucketBytes;
  private final WireType wireType;

  private AllReduceConfig(Builder builder) {
    this.timeout = builder.timeout;
    this.chunkBytes = (int) builder.chunkBytes;
    this.bucketBytes = builder.bucketBytes;
    this.wireType = builder.wireType;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values, to change some of them. */
  public Builder toBuilder() {
    return new Builder()
        .optTimeout(timeout)
        .optChunkBytes(chunkBytes)
        .optBucketBytes(bucketBytes)
        .optWireType(wireType);
  }

  public static AllReduceConfig defaults() {
    return builder().build();
  }

  /**
   * Reads the {@code train.allreduce.*} keys; missing keys take their defaults.
   *
   * @throws ConfigException for an unknown key under {@code train.allreduce} or a bad value, naming
   *     the key and the value as written
   */
  public static AllReduceConfig from(Settings settings) {
    requireNonNull(settings, "settings is null");
    KEYS.requireKnown(settings);
    Duration timeout = parseDuration(TIMEOUT.name(), TIMEOUT.get(settings));
    long chunk = CHUNK_BYTES.get(settings);
    long bucket = BUCKET_BYTES.get(settings);
    WireType wire;
    try {
      wire = WireType.parse(WIRE_DTYPE.name(), WIRE_DTYPE.get(settings));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), e);
    }
    // The ranges as a user writes them; build() checks the same ranges for programmatic callers.
    if (!chunkInRange(chunk)) {
      throw new ConfigException(
          "Invalid "
              + CHUNK_BYTES
              + ": '"
              + settings.getString(CHUNK_BYTES.name(), "")
              + "' (must be between 1KiB and 256MiB)");
    }
    if (!bucketInRange(bucket)) {
      throw new ConfigException(
          "Invalid "
              + BUCKET_BYTES
              + ": '"
              + settings.getString(BUCKET_BYTES.name(), "")
              + "' (must be between 4B and 1GiB)");
    }
    try {
      return builder()
          .optTimeout(timeout)
          .optChunkBytes(chunk)
          .optBucketBytes(bucket)
          .optWireType(wire)
          .build();
    } catch (IllegalArgumentException e) {
      throw e instanceof ConfigException ? e : new ConfigException(e.getMessage(), e);
    }
  }

  /**
   * Longest time any socket operation may make no progress before the peer is declared dead (also
   * bounds connecting at start-up).
   */
  public Duration timeout() {
    return timeout;
  }

  /** Bytes on the wire per chunk, the unit of pipelining. */
  public int chunkBytes() {
    return chunkBytes;
  }

  /** F32 bytes of gradient reduced as one ring pass (well under 2 GiB). */
  public long bucketBytes() {
    return bucketBytes;
  }

  /** Element type on the wire. */
  public WireType wireType() {
    return wireType;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AllReduceConfig that
        && timeout.equals(that.timeout)
        && chunkBytes == that.chunkBytes
        && bucketBytes == that.bucketBytes
        && wireType == that.wireType;
  }

  @Override
  public int hashCode() {
    return Objects.hash(timeout, chunkBytes, bucketBytes, wireType);
  }

  @Override
  public String toString() {
    return "AllReduceConfig[timeout="
        + timeout
        + ", chunkBytes="
        + chunkBytes
        + ", bucketBytes="
        + bucketBytes
        + ", wireType="
        + wireType
        + "]";
  }

  private static boolean chunkInRange(long bytes) {
    return bytes >= MIN_CHUNK_BYTES && bytes <= MAX_CHUNK_BYTES;
  }

  private static boolean bucketInRange(long bytes) {
    return bytes >= 4 && bytes <= MAX_BUCKET_BYTES;
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

  /** Every value is optional and starts at its key's default; {@link #build()} validates. */
  public static final class Builder {
    private Duration timeout = parseDuration(TIMEOUT.name(), TIMEOUT.defaultValue());
    private long chunkBytes = CHUNK_BYTES.defaultValue();
    private long bucketBytes = BUCKET_BYTES.defaultValue();
    private WireType wireType = WireType.parse(WIRE_DTYPE.name(), WIRE_DTYPE.defaultValue());

    private Builder() {}

    public Builder optTimeout(Duration timeout) {
      this.timeout = requireNonNull(timeout, "timeout is null");
      return this;
    }

    public Builder optChunkBytes(long chunkBytes) {
      this.chunkBytes = chunkBytes;
      return this;
    }

    public Builder optBucketBytes(long bucketBytes) {
      this.bucketBytes = bucketBytes;
      return this;
    }

    public Builder optWireType(WireType wireType) {
      this.wireType = requireNonNull(wireType, "wireType is null");
      return this;
    }

    public AllReduceConfig build() {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(
            "Invalid all-reduce timeout: " + timeout + " (must be > 0; " + TIMEOUT + ")");
      }
      if (!chunkInRange(chunkBytes)) {
        throw new IllegalArgumentException(
            "Invalid all-reduce chunk size: "
                + chunkBytes
                + " bytes (must be "
                + MIN_CHUNK_BYTES
                + ".."
                + MAX_CHUNK_BYTES
                + ")");
      }
      if (chunkBytes % wireType.bytes() != 0) {
        throw new IllegalArgumentException(
            "Invalid all-reduce chunk size: "
                + chunkBytes
                + " bytes (must be a multiple of "
                + wireType.bytes()
                + " for "
                + wireType
                + "; "
                + CHUNK_BYTES
                + ")");
      }
      if (!bucketInRange(bucketBytes)) {
        throw new IllegalArgumentException(
            "Invalid all-reduce bucket size: "
                + bucketBytes
                + " bytes (must be 4.."
                + MAX_BUCKET_BYTES
                + ", well under the 2 GiB buffer limit)");
      }
      return new AllReduceConfig(this);
    }
  }
}
