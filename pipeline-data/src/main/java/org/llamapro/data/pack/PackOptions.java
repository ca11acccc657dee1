package org.llamapro.data.pack;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.shards.ShardBuild;

/**
 * Resolved, validated options of the tokenize, mix and pack stages. Built once on the driver
 * ({@link #from}); tasks receive only the small values they need.
 */
public final class PackOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final ConfigKey<String> TOKENIZER =
      ConfigKey.ofString(
          "tokenize.tokenizer",
          "",
          "Hugging Face tokenizer.json; empty for the bundled LLaMA-2 tokenizer.");
  public static final ConfigKey<String> BOS =
      ConfigKey.ofString(
          "tokenize.bos", "document", "BOS before every document (document) or never (none).");
  public static final ConfigKey<Integer> MAX_PIECE_CHARS =
      ConfigKey.ofInt(
          "tokenize.max-piece-chars",
          LlamaTokenizer.DEFAULT_MAX_PIECE_CHARS,
          "Longest piece of text encoded at once; longer documents are cut at safe points.");
  public static final ConfigKey<String> WEIGHTS =
      ConfigKey.ofString(
          "mix.weights", "", "Per-source sampling weights, e.g. stack:1.5,arxiv:1.0.");
  public static final ConfigKey<Double> DEFAULT_WEIGHT =
      ConfigKey.ofDouble("mix.default-weight", 1.0, "Weight of sources not in mix.weights.");
  public static final ConfigKey<Double> HOLDOUT_FRACTION =
      ConfigKey.ofDouble(
          "mix.holdout-fraction", 0.005, "Share of documents held out for validation.");
  public static final ConfigKey<Integer> SEQ_LEN =
      ConfigKey.ofInt("pack.seq-len", 4096, "Tokens per shard row.");
  public static final ConfigKey<String> TAIL =
      ConfigKey.ofString("pack.tail", "drop", "The partial last row of a unit: drop it or pad it.");
  public static final ConfigKey<Integer> PAD_ID =
      ConfigKey.ofInt("pack.pad-id", 0, "Token id that fills a padded row.");
  public static final ConfigKey<Long> SEED =
      ConfigKey.ofLong("pack.seed", 1234, "Seed of mixing, splitting and packing order.");
  // About 11M tokens: a Parquet file of ~20 MB per unit, and at most a row lost per unit.
  public static final ConfigKey<Long> UNIT_BYTES =
      ConfigKey.ofBytes(
          "pack.unit-bytes", 32L * 1024 * 1024, "Text bytes per packing unit (one file each).");
  public static final ConfigKey<Long> ROW_GROUP_BYTES =
      ConfigKey.ofBytes(
          "pack.row-group-bytes", 32L * 1024 * 1024, "Parquet row group size of shard files.");
  public static final ConfigKey<Integer> SHUFFLE_BUCKETS =
      ConfigKey.ofInt(
          "pack.shuffle-buckets",
          0,
          "Shuffle buckets per split; 0 sizes them from the input's estimated size.");

  public static final List<String> PREFIXES = List.of("tokenize", "mix", "pack");

  public static final ConfigKeys KEYS =
      ConfigKeys.of(
          "Tokenize, mix and pack",
          PREFIXES,
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
  public static PackOptions from(Settings settings) {
    KEYS.requireKnown(settings);
    String tokenizer = TOKENIZER.get(settings);
    return builder()
        .optTokenizer(tokenizer.isEmpty() ? null : Path.of(tokenizer))
        .optBos(BosPolicy.parse(BOS.name(), BOS.get(settings)))
        .optMaxPieceChars(MAX_PIECE_CHARS.get(settings))
        .optWeights(parseWeights(WEIGHTS.get(settings)))
        .optDefaultWeight(DEFAULT_WEIGHT.get(settings))
        .optHoldoutFraction(HOLDOUT_FRACTION.get(settings))
        .optSeqLen(SEQ_LEN.get(settings))
        .optTail(TailPolicy.parse(TAIL.name(), TAIL.get(settings)))
        .optPadId(PAD_ID.get(settings))
        .optSeed(SEED.get(settings))
        .optUnitBytes(UNIT_BYTES.get(settings))
        .optRowGroupBytes(ROW_GROUP_BYTES.get(settings))
        .optShuffleBuckets(SHUFFLE_BUCKETS.get(settings))
        .build();
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

  /** The options under their configuration key names (for manifests and logs). */
  public ShardBuild.PackSettings describe() {
    return new ShardBuild.PackSettings(
        tokenizerPath == null ? LlamaTokenizer.DEFAULT_NAME : tokenizerPath,
        bos.configName(),
        maxPieceChars,
        weights,
        defaultWeight,
        holdoutFraction,
        seqLen,
        tail.configName(),
        padId,
        seed,
        unitBytes,
        rowGroupBytes,
        shuffleBuckets);
  }

  @Override
  public String toString() {
    return describe().toString();
  }

  /** Builder: every value optional; validation in {@link #build()}. */
  public static final class Builder {
    private String tokenizerPath;
    private BosPolicy bos = BosPolicy.DOCUMENT;
    private int maxPieceChars = MAX_PIECE_CHARS.defaultValue();
    private Map<String, Double> weights = Map.of();
    private double defaultWeight = DEFAULT_WEIGHT.defaultValue();
    private double holdoutFraction = HOLDOUT_FRACTION.defaultValue();
    private int seqLen = SEQ_LEN.defaultValue();
    private TailPolicy tail = TailPolicy.DROP;
    private int padId = PAD_ID.defaultValue();
    private long seed = SEED.defaultValue();
    private long unitBytes = UNIT_BYTES.defaultValue();
    private long rowGroupBytes = ROW_GROUP_BYTES.defaultValue();
    private int shuffleBuckets = SHUFFLE_BUCKETS.defaultValue();

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
      this.maxPieceChars = maxPieceChars;
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
            "Invalid " + SEQ_LEN + ": " + seqLen + " (must be between 2 and 1048576)");
      }
      if (maxPieceChars < 1000) {
        throw new ConfigException(
            "Invalid " + MAX_PIECE_CHARS + ": " + maxPieceChars + " (must be >= 1000)");
      }
      for (Map.Entry<String, Double> entry : weights.entrySet()) {
        checkWeight(WEIGHTS + " weight for " + entry.getKey(), entry.getValue());
      }
      checkWeight(DEFAULT_WEIGHT.name(), defaultWeight);
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
