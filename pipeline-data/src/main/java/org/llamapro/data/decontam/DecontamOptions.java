package org.llamapro.data.decontam;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;

/** The {@code decontam.*} settings, resolved and validated once on the driver. */
public final class DecontamOptions {
  public static final String PREFIX = "decontam";

  public static final ConfigKey<List<String>> EVAL_SETS =
      ConfigKey.ofList(
          "decontam.eval-sets",
          List.of(),
          "Evaluation sets to remove from the corpus, as name=path,name=path.");

  public static final ConfigKey<Integer> NGRAM =
      ConfigKey.ofInt("decontam.ngram", 13, "Words per n-gram matched against the eval sets.");

  public static final ConfigKey<Integer> MIN_MATCHES =
      ConfigKey.ofInt(
          "decontam.min-matches", 1, "Matching n-grams that make a document contaminated.");

  /** {@code decontam.fields.<set> = a,b}: which fields of a set are matched. */
  public static final String FIELDS_PREFIX = "decontam.fields.";

  /** {@code decontam.id-field.<set> = task_id}: the field naming an item (else its row number). */
  public static final String ID_FIELD_PREFIX = "decontam.id-field.";

  /** {@code decontam.fields.SET}: the text fields of a set that has no built-in defaults. */
  public static final ConfigKey<Map<String, String>> FIELDS =
      ConfigKey.ofMap(
          "decontam.fields",
          "Comma-separated text fields of the evaluation set named after the dot (sets without"
              + " built-in fields).");

  /** {@code decontam.id-field.SET}: the id field of a set that has no built-in defaults. */
  public static final ConfigKey<Map<String, String>> ID_FIELDS =
      ConfigKey.ofMap("decontam.id-field", "Id field of the evaluation set named after the dot.");

  public static final ConfigKeys KEYS =
      ConfigKeys.of(
          "Decontamination", List.of(PREFIX), EVAL_SETS, NGRAM, MIN_MATCHES, FIELDS, ID_FIELDS);

  private final List<EvalSetSpec> evalSets;
  private final int ngram;
  private final int minMatches;

  private DecontamOptions(Builder builder) {
    this.evalSets = List.copyOf(builder.evalSets.values());
    this.ngram = builder.ngram;
    this.minMatches = builder.minMatches;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads the {@code decontam.*} keys; an unknown one fails naming the closest known key. */
  public static DecontamOptions from(Settings settings) {
    KEYS.requireKnown(settings);
    TreeMap<String, String> paths = new TreeMap<>();
    for (String entry : EVAL_SETS.get(settings)) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new ConfigException(
            "Invalid "
                + EVAL_SETS
                + " entry: '"
                + entry
                + "' (expected name=path, e.g. humaneval=/data/humaneval.jsonl)");
      }
      String name = entry.substring(0, eq).trim();
      if (paths.put(name, entry.substring(eq + 1).trim()) != null) {
        throw new ConfigException("Invalid " + EVAL_SETS + ": set '" + name + "' given twice");
      }
    }
    for (String key : settings.asMap().keySet()) {
      for (String prefix : List.of(FIELDS_PREFIX, ID_FIELD_PREFIX)) {
        if (key.startsWith(prefix) && !paths.containsKey(key.substring(prefix.length()))) {
          throw new ConfigException(
              "Invalid "
                  + key
                  + ": no evaluation set '"
                  + key.substring(prefix.length())
                  + "' in "
                  + EVAL_SETS
                  + " ("
                  + paths.keySet()
                  + ")");
        }
      }
    }
    Builder builder =
        builder().optNgram(NGRAM.get(settings)).optMinMatches(MIN_MATCHES.get(settings));
    for (var entry : paths.entrySet()) {
      String name = entry.getKey();
      EvalSetSpec.Defaults defaults = EvalSetSpec.defaultsFor(name);
      List<String> fields =
          settings.getList(FIELDS_PREFIX + name, defaults == null ? List.of() : defaults.fields());
      if (fields.isEmpty()) {
        throw new ConfigException(
            "Missing "
                + FIELDS_PREFIX
                + name
                + ": evaluation set '"
                + name
                + "' has no default text fields (defaults exist for "
                + new TreeSet<>(EvalSetSpec.KNOWN.keySet())
                + ")");
      }
      String idField =
          settings.getString(ID_FIELD_PREFIX + name, defaults == null ? null : defaults.idField());
      builder.addEvalSet(new EvalSetSpec(name, entry.getValue(), fields, idField));
    }
    return builder.build();
  }

  public List<EvalSetSpec> evalSets() {
    return evalSets;
  }

  public int ngram() {
    return ngram;
  }

  public int minMatches() {
    return minMatches;
  }

  /** Builder: {@code addEvalSet} per set (none: nothing is removed), {@code optX} for the rest. */
  public static final class Builder {
    private final TreeMap<String, EvalSetSpec> evalSets = new TreeMap<>();
    private int ngram = NGRAM.defaultValue();
    private int minMatches = MIN_MATCHES.defaultValue();

    private Builder() {}

    public Builder addEvalSet(EvalSetSpec set) {
      requireNonNull(set, "set is null");
      if (evalSets.put(set.name(), set) != null) {
        throw new ConfigException(
            "Invalid " + EVAL_SETS + ": set '" + set.name() + "' given twice");
      }
      return this;
    }

    public Builder optNgram(int ngram) {
      this.ngram = ngram;
      return this;
    }

    public Builder optMinMatches(int minMatches) {
      this.minMatches = minMatches;
      return this;
    }

    public DecontamOptions build() {
      if (ngram <= 0) {
        throw new ConfigException("Invalid " + NGRAM + ": " + ngram + " (must be > 0)");
      }
      if (minMatches <= 0) {
        throw new ConfigException("Invalid " + MIN_MATCHES + ": " + minMatches + " (must be > 0)");
      }
      return new DecontamOptions(this);
    }
  }
}
