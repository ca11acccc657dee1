package org.llamapro.data.ingest;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;

/** The {@code ingest.*} settings, resolved and validated once on the driver. */
public final class IngestOptions {
  public static final String PREFIX = "ingest";

  /** {@code ingest.input.<source> = PATH}: one root (directory or file) per source. */
  public static final String INPUT_PREFIX = "ingest.input.";

  public static final ConfigKey<Double> MAX_BAD_FRACTION =
      ConfigKey.ofDouble(
          "ingest.max-bad-fraction",
          0.01,
          "Largest share of bad input records before ingest fails (they are quarantined).");

  public static final ConfigKey<String> JSONL_TEXT_FIELD =
      ConfigKey.ofString(
          "ingest.jsonl.text-field", "text", "Field holding the text in JSON Lines records.");

  public static final ConfigKey<String> PARQUET_TEXT_COLUMN =
      ConfigKey.ofString(
          "ingest.parquet.text-column", "content", "Column holding the text in Parquet files.");

  public static final ConfigKey<Long> MAX_DOCUMENT_BYTES =
      ConfigKey.ofBytes(
          "ingest.max-document-bytes",
          64L << 20,
          "Largest document kept; longer ones are quarantined as too-large.");

  /** {@code ingest.input.SOURCE = PATH}: one key per source. */
  public static final ConfigKey<Map<String, String>> INPUTS =
      ConfigKey.ofMap(
          "ingest.input",
          "Input path (local, hdfs:// or s3a://) of the source named after the dot; one key per"
              + " source.");

  public static final ConfigKeys KEYS =
      ConfigKeys.of(
          "Ingest",
          List.of(PREFIX),
          INPUTS,
          MAX_BAD_FRACTION,
          JSONL_TEXT_FIELD,
          PARQUET_TEXT_COLUMN,
          MAX_DOCUMENT_BYTES);

  private static final Pattern SOURCE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  private final Map<String, String> inputs;
  private final double maxBadFraction;
  private final String jsonlTextField;
  private final String parquetTextColumn;
  private final int maxDocumentBytes;

  private IngestOptions(Builder builder) {
    this.inputs = Collections.unmodifiableMap(new TreeMap<>(builder.inputs));
    this.maxBadFraction = builder.maxBadFraction;
    this.jsonlTextField = builder.jsonlTextField;
    this.parquetTextColumn = builder.parquetTextColumn;
    this.maxDocumentBytes = (int) builder.maxDocumentBytes;
  }

  /** Reads the {@code ingest.*} keys; an unknown one fails naming the closest known key. */
  public static IngestOptions from(Settings settings) {
    KEYS.requireKnown(settings);
    Builder builder = builder();
    for (Map.Entry<String, String> entry : settings.asMap().entrySet()) {
      if (entry.getKey().startsWith(INPUT_PREFIX)) {
        builder.addInput(entry.getKey().substring(INPUT_PREFIX.length()), entry.getValue());
      }
    }
    return builder
        .optMaxBadFraction(MAX_BAD_FRACTION.get(settings))
        .optJsonlTextField(JSONL_TEXT_FIELD.get(settings))
        .optParquetTextColumn(PARQUET_TEXT_COLUMN.get(settings))
        .optMaxDocumentBytes(MAX_DOCUMENT_BYTES.get(settings))
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Source name to root path, sorted by source name. */
  public Map<String, String> inputs() {
    return inputs;
  }

  public double maxBadFraction() {
    return maxBadFraction;
  }

  public String jsonlTextField() {
    return jsonlTextField;
  }

  public String parquetTextColumn() {
    return parquetTextColumn;
  }

  public int maxDocumentBytes() {
    return maxDocumentBytes;
  }

  /** Builder: {@code addInput} for each source, {@code optX} for the rest; validates in build. */
  public static final class Builder {
    private final Map<String, String> inputs = new TreeMap<>();
    private double maxBadFraction = MAX_BAD_FRACTION.defaultValue();
    private String jsonlTextField = JSONL_TEXT_FIELD.defaultValue();
    private String parquetTextColumn = PARQUET_TEXT_COLUMN.defaultValue();
    private long maxDocumentBytes = MAX_DOCUMENT_BYTES.defaultValue();

    private Builder() {}

    public Builder addInput(String source, String path) {
      requireNonNull(source, "source is null");
      requireNonNull(path, "path is null");
      if (!SOURCE_NAME.matcher(source).matches()) {
        throw new ConfigException(
            "Invalid source name: '"
                + source
                + "' (lowercase letters, digits, '-' and '_', e.g. open-web-math)");
      }
      if (path.isBlank()) {
        throw new ConfigException("Invalid " + INPUT_PREFIX + source + ": empty path");
      }
      if (inputs.containsKey(source)) {
        throw new ConfigException(
            "Source '" + source + "' given twice: " + inputs.get(source) + " and " + path);
      }
      inputs.put(source, path.trim());
      return this;
    }

    public Builder optMaxBadFraction(double value) {
      this.maxBadFraction = value;
      return this;
    }

    public Builder optJsonlTextField(String value) {
      this.jsonlTextField = requireNonNull(value, "jsonlTextField is null");
      return this;
    }

    public Builder optParquetTextColumn(String value) {
      this.parquetTextColumn = requireNonNull(value, "parquetTextColumn is null");
      return this;
    }

    public Builder optMaxDocumentBytes(long value) {
      this.maxDocumentBytes = value;
      return this;
    }

    public IngestOptions build() {
      if (inputs.isEmpty()) {
        throw new ConfigException(
            "No inputs: give at least one --input SOURCE=PATH (or "
                + INPUT_PREFIX
                + "SOURCE = PATH), e.g. --input stack=/data/the-stack-dedup/data/python");
      }
      if (!(maxBadFraction >= 0 && maxBadFraction <= 1)) {
        throw new ConfigException(
            "Invalid " + MAX_BAD_FRACTION + ": " + maxBadFraction + " (must be in [0, 1])");
      }
      if (jsonlTextField.isBlank()) {
        throw new ConfigException("Invalid " + JSONL_TEXT_FIELD + ": empty field name");
      }
      if (parquetTextColumn.isBlank()) {
        throw new ConfigException("Invalid " + PARQUET_TEXT_COLUMN + ": empty column name");
      }
      if (maxDocumentBytes <= 0 || maxDocumentBytes > Integer.MAX_VALUE - 16) {
        throw new ConfigException(
            "Invalid "
                + MAX_DOCUMENT_BYTES
                + ": "
                + maxDocumentBytes
                + " (must be > 0 and below 2GiB)");
      }
      return new IngestOptions(this);
    }
  }
}
