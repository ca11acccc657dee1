package org.llamapro.data.decontam;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;

/** The {@code decontam.*} settings, resolved and validated once on the driver. */
public final class DecontamOptions {
  public static final String PREFIX = "decontam";

  /** {@code name=path,name=path}: the evaluation sets. */
  public static final String EVAL_SETS = "decontam.eval-sets";

  public static final String NGRAM = "decontam.ngram";
  public static final int NGRAM_DEFAULT = 13;

  /** How many matching n-grams make a document contaminated. */
  public static final String MIN_MATCHES = "decontam.min-matches";

  public static final int MIN_MATCHES_DEFAULT = 1;

  /** {@code decontam.fields.<set> = a,b}: which fields of a set are matched. */
  public static final String FIELDS_PREFIX = "decontam.fields.";

  /** {@code decontam.id-field.<set> = task_id}: the field naming an item (else its row number). */
  public static final String ID_FIELD_PREFIX = "decontam.id-field.";

  private final List<EvalSetSpec> evalSets;
  private final int ngram;
  private final int minMatches;

  private DecontamOptions(List<EvalSetSpec> evalSets, int ngram, int minMatches) {
    this.evalSets = List.copyOf(evalSets);
    this.ngram = ngram;
    this.minMatches = minMatches;
  }

  public static DecontamOptions from(Settings settings) {
    int ngram = settings.getInt(NGRAM, NGRAM_DEFAULT);
    if (ngram <= 0) {
      throw new ConfigException("Invalid " + NGRAM + ": " + ngram + " (must be > 0)");
    }
    int minMatches = settings.getInt(MIN_MATCHES, MIN_MATCHES_DEFAULT);
    if (minMatches <= 0) {
      throw new ConfigException("Invalid " + MIN_MATCHES + ": " + minMatches + " (must be > 0)");
    }
    TreeMap<String, String> paths = new TreeMap<>();
    for (String entry : settings.getList(EVAL_SETS, List.of())) {
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
    List<EvalSetSpec> sets = new ArrayList<>();
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
      sets.add(new EvalSetSpec(name, entry.getValue(), fields, idField));
    }
    return new DecontamOptions(sets, ngram, minMatches);
  }

  public static Set<String> knownKeys(Settings settings) {
    Set<String> keys = new TreeSet<>(List.of(EVAL_SETS, NGRAM, MIN_MATCHES));
    for (String key : settings.asMap().keySet()) {
      if (key.startsWith(FIELDS_PREFIX) || key.startsWith(ID_FIELD_PREFIX)) {
        keys.add(key);
      }
    }
    return keys;
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
}
