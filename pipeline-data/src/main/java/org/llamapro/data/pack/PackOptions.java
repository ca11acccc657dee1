package org.llamapro.data.pack;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;
import org.llamapro.data.tokenize.LlamaTokenizer;

/**
 * Resolved, validated options of the tokenize, mix and pack stages. Built once on the driver
 * ({@link #fromSettings}); tasks receive only the small values they need.
 */
public final class PackOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String TOKENIZER = "tokenize.tokenizer";
  public static final String BOS = "tokenize.bos";
  public static final String MAX_PIECE_CHARS = "tokenize.max-piece-chars";
  public static final String WEIGHTS = "mix.weights";
  public static final String DEFAULT_WEIGHT = "mix.default-weight";
  public static final String HOLDOUT_FRACTION = "mix.holdout-fraction";
  public static final String SEQ_LEN = "pack.seq-len";
  public static final String TAIL = "pack.tail";
  public static final String PAD_ID = "pack.pad-id";
  public static final String SEED = "pack.seed";
  public static final String UNIT_BYTES = "pack.unit-bytes";
  public static final String ROW_GROUP_BYTES = "pack.row-group-bytes";
  public static final String SHUFFLE_BUCKETS = "pack.shuffle-buckets";

  public static final String BOS_DEFAULT = "document";
  public static final int SEQ_LEN_DEFAULT = 4096;
  public static final String TAIL_DEFAULT = "drop";
  public static final int PAD_ID_DEFAULT = 0;
  public static final long SEED_DEFAULT = 1234;
  public static final double DEFAULT_WEIGHT_DEFAULT = 1.0;
  public static final double HOLDOUT_FRACTION_DEFAULT = 0.005;
  // About 11M tokens: a Parquet file of ~20 MB per unit, and at most a row lost per unit.
  public static final long UNIT_BYTES_DEFAULT = 32L * 1024 * 1024;
  public static final long ROW_GROUP_BYTES_DEFAULT = 32L * 1024 * 1024;

  /** 0: from Spark's estimate of the input's size. */
  public static final int SHUFFLE_BUCKETS_DEFAULT = 0;

  /** Every key these stages read, for {@link Settings#requireKnown}. */
  public static final List<String> KEYS =
      List.of(
          TOKENIZER,
          BOS,
          MAX_PIECE_CHARS,
          WEIGHTS,
          DEFAULT_WEIGHT,
          HOLDOUT_FRACTION,
          SEQ_LEN,
          TAIL,
          PAD_ID,
          SEED,
          UNIT_BYTES,
          ROW_GROUP_BYTES,
          SHUFFLE_BUCKETS);

  public static final List<String> PREFIXES = List.of("tokenize", "mix", "pack");

  private final String tokenizerPath;
  private final BosPolicy bos;
  private final int maxPieceChars;
  private final TreeMap<String, Double> weights;
  private final double defaultWeight;
  private final double holdoutFraction;
  private final int seqLen;
  private final TailPolicy tail;
  private final int padId;
  private final long seed;
  private final long unitBytes;
  private final long rowGroupBytes;
  private final int shuffleBuckets;

  private PackOptions(Builder b) {
    this.tokenizerPath = b.tokenizerPath;
    this.bos = b.bos;
    this.maxPieceChars = b.maxPieceChars;
    this.weights = new TreeMap<>(b.weights);
    this.defaultWeight = b.defaultWeight;
    this.holdoutFraction = b.holdoutFraction;
    this.seqLen = b.seqLen;
    this.tail = b.tail;
    this.padId = b.padId;
    this.seed = b.seed;
    this.unitBytes = b.unitBytes;
    this.rowGroupBytes = b.rowGroupBytes;
    this.shuffleBuckets = b.shuffleBuckets;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads the {@code tokenize.*}, {@code mix.*} and {@code pack.*} keys; unknown ones fail. */
  public static PackOptions fromSettings(Settings settings) {
    settings.requireKnown(PREFIXES, KEYS);
    Builder b = builder();
    String tokenizer = settings.getString(TOKENIZER, "");
    if (!tokenizer.isEmpty()) {
      b.optTokenizer(Path.of(tokenizer));
    }
    b.optBos(BosPolicy.parse(BOS, settings.getString(BOS, BOS_DEFAULT)));
    b.optMaxPieceChars(
        settings.getInt(MAX_PIECE_CHARS, LlamaTokenizer.DEFAULT_MAX_PIECE_CHARS), MAX_PIECE_CHARS);
    b.optWeights(parseWeights(settings.getString(WEIGHTS, "")));
    b.optDefaultWeight(settings.getDouble(DEFAULT_WEIGHT, DEFAULT_WEIGHT_DEFAULT));
    b.optHoldoutFraction(settings.getDouble(HOLDOUT_FRACTION, HOLDOUT_FRACTION_DEFAULT));
    b.optSeqLen(settings.getInt(SEQ_LEN, SEQ_LEN_DEFAULT));
    b.optTail(TailPolicy.parse(TAIL, settings.getString(TAIL, TAIL_DEFAULT)));
    b.optPadId(settings.getInt(PAD_ID, PAD_ID_DEFAULT));
    b.optSeed(settings.getLong(SEED, SEED_DEFAULT));
    b.optUnitBytes(settings.getBytes(UNIT_BYTES, UNIT_BYTES_DEFAULT));
    b.optRowGroupBytes(settings.getBytes(ROW_GROUP_BYTES, ROW_GROUP_BYTES_DEFAULT));
    b.optShuffleBuckets(settings.getInt(SHUFFLE_BUCKETS, SHUFFLE_BUCKETS_DEFAULT));
    return b.build();
  }

  /** Parses {@code stack:1.5, arxiv:1.0} (or {@code stack=1.5}). */
  static Map<String, Double> parseWeights(String text) {
    TreeMap<String, Double> weights = new TreeMap<>();
    for (String entry : text.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int sep = Math.max(entry.lastIndexOf(':'), entry.lastIndexOf('='));
      String source = sep < 0 ? "" : entry.substring(0, sep).trim();
      if (source.isEmpty()) {
        throw new ConfigException(
            "Invalid "
                + WEIGHTS
                + " entry: '"
                + entry.trim()
                + "' (expected source:weight, e.g. stack:1.5)");
      }
      String value = entry.substring(sep + 1).trim();
      try {
        weights.put(source, Double.parseDouble(value));
      } catch (NumberFormatException e) {
        throw new ConfigException(
            "Invalid "
                + WEIGHTS
                + " weight for "
                + source
                + ": '"
                + value
                + "' (expected a number)",
            e);
      }
    }
    return weights;
  }

  /** The tokenizer file, or null for the bundled LLaMA-2 tokenizer. */
  public Path tokenizer() {
    return tokenizerPath == null ? null : Path.of(tokenizerPath);
  }

  public BosPolicy bos() {
    return bos;
  }

  public int maxPieceChars() {
    return maxPieceChars;
  }

  /** Explicit per-source weights; sources not named get {@link #defaultWeight()}. */
  public Map<String, Double> weights() {
    return java.util.Collections.unmodifiableMap(weights);
  }

  public double defaultWeight() {
    return defaultWeight;
  }

  public double weight(String source) {
    return weights.getOrDefault(source, defaultWeight);
  }

  public double holdoutFraction() {
    return holdoutFraction;
  }

  public int seqLen() {
    return seqLen;
  }

  public TailPolicy tail() {
    return tail;
  }

  public int padId() {
    return padId;
  }

  public long seed() {
    return seed;
  }

  public long unitBytes() {
    return unitBytes;
  }

  public long rowGroupBytes() {
    return rowGroupBytes;
  }

  /** Shuffle buckets per split, or 0 to size them from the input's estimated size. */
  public int shuffleBuckets() {
    return shuffleBuckets;
  }

  /** The options as config keys and values (for manifests and logs). */
  public Map<String, Object> describe() {
    Map<String, Object> map = new java.util.LinkedHashMap<>();
    map.put(TOKENIZER, tokenizerPath == null ? LlamaTokenizer.DEFAULT_NAME : tokenizerPath);
    map.put(BOS, bos.configName());
    map.put(MAX_PIECE_CHARS, maxPieceChars);
    map.put(WEIGHTS, weights);
    map.put(DEFAULT_WEIGHT, defaultWeight);
    map.put(HOLDOUT_FRACTION, holdoutFraction);
    map.put(SEQ_LEN, seqLen);
    map.put(TAIL, tail.configName());
    map.put(PAD_ID, padId);
    map.put(SEED, seed);
    map.put(UNIT_BYTES, unitBytes);
    map.put(ROW_GROUP_BYTES, rowGroupBytes);
    map.put(SHUFFLE_BUCKETS, shuffleBuckets);
    return map;
  }

  @Override
  public String toString() {
    return describe().toString();
  }

  /** Builder: every value optional; validation in {@link #build()}. */
  public static final class Builder {
    private String tokenizerPath;
    private BosPolicy bos = BosPolicy.DOCUMENT;
    private int maxPieceChars = LlamaTokenizer.DEFAULT_MAX_PIECE_CHARS;
    private String maxPieceCharsKey = MAX_PIECE_CHARS;
    private Map<String, Double> weights = Map.of();
    private double defaultWeight = DEFAULT_WEIGHT_DEFAULT;
    private double holdoutFraction = HOLDOUT_FRACTION_DEFAULT;
    private int seqLen = SEQ_LEN_DEFAULT;
    private TailPolicy tail = TailPolicy.DROP;
    private int padId = PAD_ID_DEFAULT;
    private long seed = SEED_DEFAULT;
    private long unitBytes = UNIT_BYTES_DEFAULT;
    private long rowGroupBytes = ROW_GROUP_BYTES_DEFAULT;
    private int shuffleBuckets = SHUFFLE_BUCKETS_DEFAULT;

    private Builder() {}

    public Builder optTokenizer(Path path) {
      this.tokenizerPath = path == null ? null : path.toString();
      return this;
    }

    public Builder optBos(BosPolicy bos) {
      this.bos = requireNonNull(bos, "bos is null");
      return this;
    }

    public Builder optMaxPieceChars(int maxPieceChars) {
      return optMaxPieceChars(maxPieceChars, MAX_PIECE_CHARS);
    }

    private Builder optMaxPieceChars(int maxPieceChars, String key) {
      this.maxPieceChars = maxPieceChars;
      this.maxPieceCharsKey = key;
      return this;
    }

    public Builder optWeights(Map<String, Double> weights) {
      this.weights = Map.copyOf(requireNonNull(weights, "weights is null"));
      return this;
    }

    public Builder optDefaultWeight(double defaultWeight) {
      this.defaultWeight = defaultWeight;
      return this;
    }

    public Builder optHoldoutFraction(double holdoutFraction) {
      this.holdoutFraction = holdoutFraction;
      return this;
    }

    public Builder optSeqLen(int seqLen) {
      this.seqLen = seqLen;
      return this;
    }

    public Builder optTail(TailPolicy tail) {
      this.tail = requireNonNull(tail, "tail is null");
      return this;
    }

    public Builder optPadId(int padId) {
      this.padId = padId;
      return this;
    }

    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder optUnitBytes(long unitBytes) {
      this.unitBytes = unitBytes;
      return this;
    }

    public Builder optShuffleBuckets(int shuffleBuckets) {
      this.shuffleBuckets = shuffleBuckets;
      return this;
    }

    public Builder optRowGroupBytes(long rowGroupBytes) {
      this.rowGroupBytes = rowGroupBytes;
      return this;
    }

    public PackOptions build() {
      if (seqLen < 2 || seqLen > 1 << 20) {
        throw new ConfigException(
            "Invalid sequence length: " + seqLen + " (must be between 2 and 1048576)");
      }
      if (maxPieceChars < 1000) {
        throw new ConfigException(
            "Invalid " + maxPieceCharsKey + ": " + maxPieceChars + " (must be >= 1000)");
      }
      for (Map.Entry<String, Double> entry : weights.entrySet()) {
        checkWeight(WEIGHTS + " weight for " + entry.getKey(), entry.getValue());
      }
      checkWeight(DEFAULT_WEIGHT, defaultWeight);
      if (!(holdoutFraction >= 0 && holdoutFraction < 1)) {
        throw new ConfigException(
            "Invalid " + HOLDOUT_FRACTION + ": " + holdoutFraction + " (must be in [0, 1))");
      }
      if (padId < 0) {
        throw new ConfigException("Invalid " + PAD_ID + ": " + padId + " (must be >= 0)");
      }
      if (unitBytes < 1) {
        throw new ConfigException("Invalid " + UNIT_BYTES + ": " + unitBytes + " (must be > 0)");
      }
      if (rowGroupBytes < 1024 * 1024) {
        throw new ConfigException(
            "Invalid " + ROW_GROUP_BYTES + ": " + rowGroupBytes + " (must be >= 1MiB)");
      }
      if (shuffleBuckets < 0 || shuffleBuckets > Buckets.MAX_PER_SPLIT) {
        throw new ConfigException(
            "Invalid "
                + SHUFFLE_BUCKETS
                + ": "
                + shuffleBuckets
                + " (must be 0 for automatic, or 1.."
                + Buckets.MAX_PER_SPLIT
                + ")");
      }
      return new PackOptions(this);
    }

    private static void checkWeight(String what, double weight) {
      if (!(weight >= 0) || Double.isInfinite(weight) || weight > 1000) {
        throw new ConfigException(
            "Invalid " + what + ": " + weight + " (must be between 0 and 1000)");
      }
    }
  }
}
