package org.llamapro.data.dedupe;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;

/**
 * The {@code dedupe.*} settings, resolved and validated once on the driver.
 *
 * <p>Defaults: word 5-gram shingles and 256 hashes as BigCode; 32 bands x 8 rows (the 50% point of
 * the S-curve 1 - (1 - s^8)^32 is s = 0.65, and a pair at Jaccard 0.7 becomes a candidate with
 * probability 0.85, against 0.51 for 25 x 10), with exact-Jaccard verification at 0.7 removing the
 * extra false candidates that the wider net lets in.
 */
public final class DedupeOptions {
  public static final String PREFIX = "dedupe";

  public static final ConfigKey<Boolean> EXACT_ENABLED =
      ConfigKey.ofBoolean("dedupe.exact.enabled", true, "Remove exact duplicates.");
  public static final ConfigKey<List<String>> EXACT_NORMALIZE =
      ConfigKey.ofList(
          "dedupe.exact.normalize",
          List.of("line-endings", "trailing-whitespace"),
          "What is normalised before texts are compared for exact duplicates.");

  public static final ConfigKey<Boolean> NEAR_ENABLED =
      ConfigKey.ofBoolean("dedupe.near.enabled", true, "Remove near duplicates (MinHash LSH).");
  public static final ConfigKey<String> NEAR_SHINGLE =
      ConfigKey.ofString("dedupe.near.shingle", "word", "Shingle unit: word or char.");
  public static final ConfigKey<Integer> NEAR_NGRAM =
      ConfigKey.ofInt("dedupe.near.ngram", 5, "Units per shingle.");
  public static final ConfigKey<Boolean> NEAR_LOWERCASE =
      ConfigKey.ofBoolean("dedupe.near.lowercase", true, "Lower-case text before shingling.");
  public static final ConfigKey<Integer> NEAR_NUM_HASHES =
      ConfigKey.ofInt("dedupe.near.num-hashes", 256, "MinHash signature length.");
  public static final ConfigKey<Integer> NEAR_BANDS =
      ConfigKey.ofInt("dedupe.near.bands", 32, "LSH bands (bands x rows <= num-hashes).");
  public static final ConfigKey<Integer> NEAR_ROWS =
      ConfigKey.ofInt("dedupe.near.rows", 8, "Signature rows per LSH band.");
  public static final ConfigKey<Long> NEAR_SEED =
      ConfigKey.ofLong("dedupe.near.seed", 42, "Seed of the MinHash functions.");
  public static final ConfigKey<Boolean> NEAR_VERIFY =
      ConfigKey.ofBoolean(
          "dedupe.near.verify", true, "Check candidate pairs' exact Jaccard similarity.");
  public static final ConfigKey<Double> NEAR_THRESHOLD =
      ConfigKey.ofDouble(
          "dedupe.near.threshold", 0.7, "Jaccard similarity from which two texts are duplicates.");
  public static final ConfigKey<Integer> NEAR_MAX_ITERATIONS =
      ConfigKey.ofInt(
          "dedupe.near.max-iterations", 50, "Rounds of the connected-components search at most.");

  public static final ConfigKey<List<String>> KEEP_ORDER =
      ConfigKey.ofList(
          "dedupe.keep.order",
          List.of("permissive-license", "stars", "id"),
          "Which document of a duplicate group is kept, by these criteria in order.");
  public static final ConfigKey<String> KEEP_LICENSE_FIELD =
      ConfigKey.ofString(
          "dedupe.keep.license-field",
          "max_stars_repo_licenses",
          "Metadata field with a document's licences.");
  public static final ConfigKey<String> KEEP_STARS_FIELD =
      ConfigKey.ofString(
          "dedupe.keep.stars-field",
          "max_stars_count",
          "Metadata field with a repository's stars.");
  public static final ConfigKey<List<String>> KEEP_PERMISSIVE_LICENSES =
      ConfigKey.ofList(
          "dedupe.keep.permissive-licenses",
          List.of(
              "MIT",
              "MIT-0",
              "Apache-2.0",
              "BSD-*",
              "0BSD",
              "ISC",
              "Unlicense",
              "CC0-1.0",
              "Zlib",
              "BSL-1.0",
              "Python-2.0",
              "PSF-2.0",
              "X11",
              "WTFPL"),
          "Licences that count as permissive when choosing the document to keep.");

  public static final ConfigKey<List<String>> REFERENCE_INDEX =
      ConfigKey.ofList(
          "dedupe.reference-index",
          List.of(),
          "Signature indexes of earlier runs (their dedupe/index) to dedupe against.");

  public static final ConfigKeys KEYS =
      ConfigKeys.of(
          "Deduplication",
          List.of(PREFIX),
          EXACT_ENABLED,
          EXACT_NORMALIZE,
          NEAR_ENABLED,
          NEAR_SHINGLE,
          NEAR_NGRAM,
          NEAR_LOWERCASE,
          NEAR_NUM_HASHES,
          NEAR_BANDS,
          NEAR_ROWS,
          NEAR_SEED,
          NEAR_VERIFY,
          NEAR_THRESHOLD,
          NEAR_MAX_ITERATIONS,
          KEEP_ORDER,
          KEEP_LICENSE_FIELD,
          KEEP_STARS_FIELD,
          KEEP_PERMISSIVE_LICENSES,
          REFERENCE_INDEX);

  private final boolean exactEnabled;
  private final TextNormalizer normalizer;
  private final boolean nearEnabled;
  private final Shingler.Unit shingleUnit;
  private final int ngram;
  private final boolean lowercase;
  private final int numHashes;
  private final int bands;
  private final int rows;
  private final long seed;
  private final boolean verify;
  private final double threshold;
  private final int maxIterations;
  private final KeepPolicy keepPolicy;
  private final List<String> referenceIndexes;

  private DedupeOptions(Builder b, TextNormalizer normalizer, Shingler.Unit unit, KeepPolicy keep) {
    exactEnabled = b.exactEnabled;
    this.normalizer = normalizer;
    nearEnabled = b.nearEnabled;
    shingleUnit = unit;
    ngram = b.ngram;
    lowercase = b.lowercase;
    numHashes = b.numHashes;
    bands = b.bands;
    rows = b.rows;
    seed = b.seed;
    verify = b.verify;
    threshold = b.threshold;
    maxIterations = b.maxIterations;
    keepPolicy = keep;
    referenceIndexes = List.copyOf(b.referenceIndexes);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads the {@code dedupe.*} keys; an unknown one fails naming the closest known key. */
  public static DedupeOptions from(Settings s) {
    requireNonNull(s, "settings is null");
    KEYS.requireKnown(s);
    return builder()
        .optExactEnabled(EXACT_ENABLED.get(s))
        .optExactNormalize(EXACT_NORMALIZE.get(s))
        .optNearEnabled(NEAR_ENABLED.get(s))
        .optNearShingle(NEAR_SHINGLE.get(s))
        .optNearNgram(NEAR_NGRAM.get(s))
        .optNearLowercase(NEAR_LOWERCASE.get(s))
        .optNearNumHashes(NEAR_NUM_HASHES.get(s))
        .optNearBands(NEAR_BANDS.get(s))
        .optNearRows(NEAR_ROWS.get(s))
        .optNearSeed(NEAR_SEED.get(s))
        .optNearVerify(NEAR_VERIFY.get(s))
        .optNearThreshold(NEAR_THRESHOLD.get(s))
        .optNearMaxIterations(NEAR_MAX_ITERATIONS.get(s))
        .optKeepOrder(KEEP_ORDER.get(s))
        .optKeepLicenseField(KEEP_LICENSE_FIELD.get(s))
        .optKeepStarsField(KEEP_STARS_FIELD.get(s))
        .optKeepPermissiveLicenses(KEEP_PERMISSIVE_LICENSES.get(s))
        .optReferenceIndexes(REFERENCE_INDEX.get(s))
        .build();
  }

  private static int positive(ConfigKey<Integer> key, int value) {
    if (value <= 0) {
      throw new ConfigException("Invalid " + key + ": " + value + " (must be > 0)");
    }
    return value;
  }

  public boolean exactEnabled() {
    return exactEnabled;
  }

  public TextNormalizer normalizer() {
    return normalizer;
  }

  public boolean nearEnabled() {
    return nearEnabled;
  }

  public Shingler shingler() {
    return new Shingler(shingleUnit, ngram, lowercase);
  }

  public MinHasher minHasher() {
    return new MinHasher(numHashes, seed);
  }

  public int bands() {
    return bands;
  }

  public int rows() {
    return rows;
  }

  public boolean verify() {
    return verify;
  }

  public double threshold() {
    return threshold;
  }

  public int maxIterations() {
    return maxIterations;
  }

  public KeepPolicy keepPolicy() {
    return keepPolicy;
  }

  public List<String> referenceIndexes() {
    return referenceIndexes;
  }

  /**
   * What makes signatures comparable between runs: an index written with other values cannot be
   * used as a reference.
   */
  public String signatureParameters() {
    return "minhash-v1 shingle="
        + shingleUnit.name().toLowerCase(Locale.ROOT)
        + " ngram="
        + ngram
        + " lowercase="
        + lowercase
        + " num-hashes="
        + numHashes
        + " seed="
        + seed
        + " normalize="
        + normalizer.steps();
  }

  /** Builder: every value optional (the defaults of {@link #KEYS}); validation in build(). */
  public static final class Builder {
    private boolean exactEnabled = EXACT_ENABLED.defaultValue();
    private List<String> exactNormalize = EXACT_NORMALIZE.defaultValue();
    private boolean nearEnabled = NEAR_ENABLED.defaultValue();
    private String nearShingle = NEAR_SHINGLE.defaultValue();
    private int ngram = NEAR_NGRAM.defaultValue();
    private boolean lowercase = NEAR_LOWERCASE.defaultValue();
    private int numHashes = NEAR_NUM_HASHES.defaultValue();
    private int bands = NEAR_BANDS.defaultValue();
    private int rows = NEAR_ROWS.defaultValue();
    private long seed = NEAR_SEED.defaultValue();
    private boolean verify = NEAR_VERIFY.defaultValue();
    private double threshold = NEAR_THRESHOLD.defaultValue();
    private int maxIterations = NEAR_MAX_ITERATIONS.defaultValue();
    private List<String> keepOrder = KEEP_ORDER.defaultValue();
    private String keepLicenseField = KEEP_LICENSE_FIELD.defaultValue();
    private String keepStarsField = KEEP_STARS_FIELD.defaultValue();
    private List<String> keepPermissiveLicenses = KEEP_PERMISSIVE_LICENSES.defaultValue();
    private List<String> referenceIndexes = REFERENCE_INDEX.defaultValue();

    private Builder() {}

    public Builder optExactEnabled(boolean value) {
      this.exactEnabled = value;
      return this;
    }

    public Builder optExactNormalize(List<String> steps) {
      this.exactNormalize = List.copyOf(steps);
      return this;
    }

    public Builder optNearEnabled(boolean value) {
      this.nearEnabled = value;
      return this;
    }

    /** {@code word} or {@code char}. */
    public Builder optNearShingle(String unit) {
      this.nearShingle = requireNonNull(unit, "unit is null");
      return this;
    }

    public Builder optNearNgram(int value) {
      this.ngram = value;
      return this;
    }

    public Builder optNearLowercase(boolean value) {
      this.lowercase = value;
      return this;
    }

    public Builder optNearNumHashes(int value) {
      this.numHashes = value;
      return this;
    }

    public Builder optNearBands(int value) {
      this.bands = value;
      return this;
    }

    public Builder optNearRows(int value) {
      this.rows = value;
      return this;
    }

    public Builder optNearSeed(long value) {
      this.seed = value;
      return this;
    }

    public Builder optNearVerify(boolean value) {
      this.verify = value;
      return this;
    }

    public Builder optNearThreshold(double value) {
      this.threshold = value;
      return this;
    }

    public Builder optNearMaxIterations(int value) {
      this.maxIterations = value;
      return this;
    }

    public Builder optKeepOrder(List<String> criteria) {
      this.keepOrder = List.copyOf(criteria);
      return this;
    }

    public Builder optKeepLicenseField(String field) {
      this.keepLicenseField = requireNonNull(field, "field is null");
      return this;
    }

    public Builder optKeepStarsField(String field) {
      this.keepStarsField = requireNonNull(field, "field is null");
      return this;
    }

    public Builder optKeepPermissiveLicenses(List<String> licenses) {
      this.keepPermissiveLicenses = List.copyOf(licenses);
      return this;
    }

    public Builder optReferenceIndexes(List<String> directories) {
      this.referenceIndexes = List.copyOf(directories);
      return this;
    }

    public DedupeOptions build() {
      TextNormalizer normalizer = TextNormalizer.parse(EXACT_NORMALIZE.name(), exactNormalize);
      Shingler.Unit unit =
          switch (nearShingle.toLowerCase(Locale.ROOT)) {
            case "word" -> Shingler.Unit.WORD;
            case "char" -> Shingler.Unit.CHAR;
            default ->
                throw new ConfigException(
                    "Invalid " + NEAR_SHINGLE + ": '" + nearShingle + "' (expected word or char)");
          };
      positive(NEAR_NGRAM, ngram);
      positive(NEAR_NUM_HASHES, numHashes);
      positive(NEAR_BANDS, bands);
      positive(NEAR_ROWS, rows);
      if ((long) bands * rows > numHashes) {
        throw new ConfigException(
            "Invalid LSH banding: "
                + NEAR_BANDS
                + "="
                + bands
                + " x "
                + NEAR_ROWS
                + "="
                + rows
                + " = "
                + (long) bands * rows
                + " exceeds "
                + NEAR_NUM_HASHES
                + "="
                + numHashes);
      }
      if (!(threshold > 0 && threshold <= 1)) {
        throw new ConfigException(
            "Invalid " + NEAR_THRESHOLD + ": " + threshold + " (must be in (0, 1])");
      }
      positive(NEAR_MAX_ITERATIONS, maxIterations);
      KeepPolicy keep =
          new KeepPolicy(
              KeepPolicy.parseOrder(KEEP_ORDER.name(), keepOrder),
              keepLicenseField,
              keepStarsField,
              keepPermissiveLicenses);
      return new DedupeOptions(this, normalizer, unit, keep);
    }
  }
}
