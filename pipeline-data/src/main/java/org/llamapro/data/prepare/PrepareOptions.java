package org.llamapro.data.prepare;

import java.util.Set;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;

/** The {@code prepare.*} settings: where the run writes, and how big its files are. */
public final class PrepareOptions {
  public static final String PREFIX = "prepare";

  /** The output directory (local, hdfs://, s3a://); {@code --output} sets it. */
  public static final String OUTPUT = "prepare.output";

  /** About how many bytes of text per file of {@code clean/}. */
  public static final String TARGET_FILE_SIZE = "prepare.target-file-size";

  public static final long TARGET_FILE_SIZE_DEFAULT = 256L << 20;

  public static final Set<String> KEYS = Set.of(OUTPUT, TARGET_FILE_SIZE);

  private final String output;
  private final long targetFileSize;

  private PrepareOptions(String output, long targetFileSize) {
    this.output = output;
    this.targetFileSize = targetFileSize;
  }

  public static PrepareOptions from(Settings settings) {
    String output = settings.getString(OUTPUT, "");
    if (output.isBlank()) {
      throw new ConfigException("Missing output directory: give --output DIR (or " + OUTPUT + ")");
    }
    return new PrepareOptions(
        output.trim(), settings.getBytes(TARGET_FILE_SIZE, TARGET_FILE_SIZE_DEFAULT));
  }

  public String output() {
    return output;
  }

  public long targetFileSize() {
    return targetFileSize;
  }
}
