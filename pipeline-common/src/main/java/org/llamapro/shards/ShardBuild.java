package org.llamapro.shards;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.llamapro.io.JsonFiles;

/**
 * How a version of a shard table was built: written as the user metadata of its Delta commit and
 * repeated at the top of {@code manifest.json}. Training checks the tokenizer and sequence length
 * against it; the inspector decodes with the tokenizer it names.
 *
 * @param format the shard format's version, {@value #FORMAT}
 * @param runId the pack run that committed this version
 */
public record ShardBuild(
    String format,
    Tokenizer tokenizer,
    int seqLen,
    SpecialTokens specialTokens,
    Mixture mixture,
    long seed,
    Units units,
    Input input,
    PackSettings options,
    String runId) {

  /** Version of the shard format written into build descriptions. */
  public static final String FORMAT = "llamapro-shards/1";

  /** The tokenizer file: its path when packed, SHA-256 of its bytes, vocabulary size. */
  public record Tokenizer(String path, String sha256, int vocabSize) {}

  /** {@code bos}: "document" (every document starts with BOS) or "none"; tail: drop or pad. */
  public record SpecialTokens(
      String bos, int bosId, String eos, int eosId, int padId, String tail) {}

  /** Per-source weights (others get {@code default_weight}) and the validation fraction. */
  public record Mixture(
      Map<String, Double> weights, double defaultWeight, double holdoutFraction) {}

  /** Packing units per split. */
  public record Units(int train, int validation) {}

  /**
   * The documents table the shards were built from: its path, and for a Delta table its version,
   * for plain Parquet its file count, bytes and newest file time (fields that do not apply are
   * null), plus an order-independent fingerprint of the documents' ids and content hashes.
   */
  public record Input(
      String path,
      String format,
      Long version,
      Long files,
      Long bytes,
      Long newestFileMillis,
      String documentsFingerprint) {

    /** An input known only by its path (e.g. a Dataset handed over in code). */
    public static Input ofPath(String path) {
      return new Input(path, null, null, null, null, null, null);
    }

    public static Input delta(String path, long version) {
      return new Input(path, "delta", version, null, null, null, null);
    }

    public static Input parquet(String path, long files, long bytes, long newestFileMillis) {
      return new Input(path, "parquet", null, files, bytes, newestFileMillis, null);
    }

    public Input withDocumentsFingerprint(String fingerprint) {
      return new Input(path, format, version, files, bytes, newestFileMillis, fingerprint);
    }
  }

  /** The pack settings, under their configuration key names. */
  public record PackSettings(
      @JsonProperty("tokenize.tokenizer") String tokenizer,
      @JsonProperty("tokenize.bos") String bos,
      @JsonProperty("tokenize.max-piece-chars") int maxPieceChars,
      @JsonProperty("mix.weights") Map<String, Double> weights,
      @JsonProperty("mix.default-weight") double defaultWeight,
      @JsonProperty("mix.holdout-fraction") double holdoutFraction,
      @JsonProperty("pack.seq-len") int seqLen,
      @JsonProperty("pack.tail") String tail,
      @JsonProperty("pack.pad-id") int padId,
      @JsonProperty("pack.seed") long seed,
      @JsonProperty("pack.unit-bytes") long unitBytes,
      @JsonProperty("pack.row-group-bytes") long rowGroupBytes,
      @JsonProperty("pack.shuffle-buckets") int shuffleBuckets) {}

  /** As written into the Delta commit. */
  public String toJson() {
    return JsonFiles.toJson(this);
  }

  /** Parses the user metadata of a commit; {@code location} names the table version in errors. */
  public static ShardBuild parse(String json, String location) {
    try {
      return JsonFiles.parse(
          new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
          ShardBuild.class,
          location,
          "shard build description");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot parse the build description of " + location, e);
    }
  }
}
