package org.llamapro.data.dedupe;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.llamapro.config.ConfigException;
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

  public static final String EXACT_ENABLED = "dedupe.exact.enabled";
  public static final String EXACT_NORMALIZE = "dedupe.exact.normalize";
  public static final List<String> EXACT_NORMALIZE_DEFAULT =
      List.of("line-endings", "trailing-whitespace");

  public static final String NEAR_ENABLED = "dedupe.near.enabled";
  public static final String NEAR_SHINGLE = "dedupe.near.shingle";
  public static final String NEAR_NGRAM = "dedupe.near.ngram";
  public static final int NEAR_NGRAM_DEFAULT = 5;
  public static final String NEAR_LOWERCASE = "dedupe.near.lowercase";
  public static final String NEAR_NUM_HASHES = "dedupe.near.num-hashes";
  public static final int NEAR_NUM_HASHES_DEFAULT = 256;
  public static final String NEAR_BANDS = "dedupe.near.bands";
  public static final int NEAR_BANDS_DEFAULT = 32;
  public static final String NEAR_ROWS = "dedupe.near.rows";
  public static final int NEAR_ROWS_DEFAULT = 8;
  public static final String NEAR_SEED = "dedupe.near.seed";
  public static final long NEAR_SEED_DEFAULT = 42;
  public static final String NEAR_VERIFY = "dedupe.near.verify";
  public static final String NEAR_THRESHOLD = "dedupe.near.threshold";
  public static final double NEAR_THRESHOLD_DEFAULT = 0.7;
  public static final String NEAR_MAX_ITERATIONS = "dedupe.near.max-iterations";
  public static final int NEAR_MAX_ITERATIONS_DEFAULT = 50;

  public static final String KEEP_ORDER = "dedupe.keep.order";
  public static final List<String> KEEP_ORDER_DEFAULT =
      List.of("permissive-license", "stars", "id");
  public static final String KEEP_LICENSE_FIELD = "dedupe.keep.license-field";
  public static final String KEEP_STARS_FIELD = "dedupe.keep.stars-field";
  public static final String KEEP_PERMISSIVE_LICENSES = "dedupe.keep.permissive-licenses";
  public static final List<String> KEEP_PERMISSIVE_LICENSES_DEFAULT =
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
          "WTFPL");

  public static final String REFERENCE_INDEX = "dedupe.reference-index";

  public static final Set<String> KEYS =
      Set.of(
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

  private DedupeOptions(Settings s) {
    exactEnabled = s.getBoolean(EXACT_ENABLED, true);
    normalizer =
        TextNormalizer.parse(EXACT_NORMALIZE, s.getList(EXACT_NORMALIZE, EXACT_NORMALIZE_DEFAULT));
    nearEnabled = s.getBoolean(NEAR_ENABLED, true);
    String unit = s.getString(NEAR_SHINGLE, "word");
    shingleUnit =
        switch (unit.toLowerCase(Locale.ROOT)) {
          case "word" -> Shingler.Unit.WORD;
          case "char" -> Shingler.Unit.CHAR;
          default ->
              throw new ConfigException(
                  "Invalid " + NEAR_SHINGLE + ": '" + unit + "' (expected word or char)");
        };
    ngram = positive(NEAR_NGRAM, s.getInt(NEAR_NGRAM, NEAR_NGRAM_DEFAULT));
    lowercase = s.getBoolean(NEAR_LOWERCASE, true);
    numHashes = positive(NEAR_NUM_HASHES, s.getInt(NEAR_NUM_HASHES, NEAR_NUM_HASHES_DEFAULT));
    bands = positive(NEAR_BANDS, s.getInt(NEAR_BANDS, NEAR_BANDS_DEFAULT));
    rows = positive(NEAR_ROWS, s.getInt(NEAR_ROWS, NEAR_ROWS_DEFAULT));
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
    seed = s.getLong(NEAR_SEED, NEAR_SEED_DEFAULT);
    verify = s.getBoolean(NEAR_VERIFY, true);
    threshold = s.getDouble(NEAR_THRESHOLD, NEAR_THRESHOLD_DEFAULT);
    if (!(threshold > 0 && threshold <= 1)) {
      throw new ConfigException(
          "Invalid " + NEAR_THRESHOLD + ": " + threshold + " (must be in (0, 1])");
    }
    maxIterations =
        positive(NEAR_MAX_ITERATIONS, s.getInt(NEAR_MAX_ITERATIONS, NEAR_MAX_ITERATIONS_DEFAULT));
    keepPolicy =
        new KeepPolicy(
            KeepPolicy.parseOrder(KEEP_ORDER, s.getList(KEEP_ORDER, KEEP_ORDER_DEFAULT)),
            s.getString(KEEP_LICENSE_FIELD, "max_stars_repo_licenses"),
            s.getString(KEEP_STARS_FIELD, "max_stars_count"),
            s.getList(KEEP_PERMISSIVE_LICENSES, KEEP_PERMISSIVE_LICENSES_DEFAULT));
    referenceIndexes = s.getList(REFERENCE_INDEX, List.of());
  }

  public static DedupeOptions from(Settings settings) {
    return new DedupeOptions(requireNonNull(settings, "settings is null"));
  }

  private static int positive(String key, int value) {
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
}
