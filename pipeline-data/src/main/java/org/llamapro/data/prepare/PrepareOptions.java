package org.llamapro.data.prepare;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;

/** The {@code prepare.*} settings: where the run writes, and how big its files are. */
public final class PrepareOptions {
  public static final String PREFIX = "prepare";

  public static final ConfigKey<String> OUTPUT =
      ConfigKey.ofString(
          "prepare.output",
          "",
          "Output directory of data prepare (local, hdfs://, s3a://); --output sets it.");

  public static final ConfigKey<Long> TARGET_FILE_SIZE =
      ConfigKey.ofBytes(
          "prepare.target-file-size", 256L << 20, "About how much text per file of clean/.");

  public static final ConfigKeys KEYS =
      ConfigKeys.of("Prepare", List.of(PREFIX), OUTPUT, TARGET_FILE_SIZE);

  private final String output;
  private final long targetFileSize;

  private PrepareOptions(Builder builder) {
    this.output = builder.output.trim();
    this.targetFileSize = builder.targetFileSize;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads the {@code prepare.*} keys; an unknown one fails naming the closest known key. */
  public static PrepareOptions from(Settings settings) {
    KEYS.requireKnown(settings);
    return builder()
        .setOutput(OUTPUT.get(settings))
        .optTargetFileSize(TARGET_FILE_SIZE.get(settings))
        .build();
  }

  public String output() {
    return output;
  }

  public long targetFileSize() {
    return targetFileSize;
  }

  /** Builder: {@code setOutput} is required; validation in {@link #build()}. */
  public static final class Builder {
    private String output = "";
    private long targetFileSize = TARGET_FILE_SIZE.defaultValue();

    private Builder() {}

    public Builder setOutput(String output) {
      this.output = requireNonNull(output, "output is null");
      return this;
    }

    public Builder optTargetFileSize(long bytes) {
      this.targetFileSize = bytes;
      return this;
    }

    public PrepareOptions build() {
      if (output.isBlank()) {
        throw new ConfigException(
            "Missing output directory: give --output DIR (or " + OUTPUT + ")");
      }
      if (targetFileSize < 1) {
        throw new ConfigException(
            "Invalid " + TARGET_FILE_SIZE + ": " + targetFileSize + " (must be > 0)");
      }
      return new PrepareOptions(this);
    }
  }
}
