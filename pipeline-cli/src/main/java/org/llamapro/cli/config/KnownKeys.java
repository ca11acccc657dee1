package org.llamapro.cli.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.llamapro.config.Closest;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;

/**
 * The one check of a command's settings: every key is declared by one of the {@link ConfigKeys}
 * groups the command reads, or lies in a pass-through namespace ({@code spark.*}, including {@code
 * spark.hadoop.*}, handed to Spark by {@link SparkPassThrough}). Anything else is a typo or a key
 * of another command, and an error naming it and the closest known key. Values never appear in the
 * message: a mistyped key may hold a secret.
 */
public final class KnownKeys {
  /** Namespaces a command passes on without declaring their keys. */
  public static final List<String> PASS_THROUGH = List.of(SparkPassThrough.PREFIX);

  /** Hadoop's own namespaces: such a key was meant for {@code spark.hadoop.*}. */
  private static final List<String> HADOOP_PREFIXES =
      List.of("fs.", "hadoop.", "dfs.", "yarn.", "mapreduce.", "io.", "ipc.");

  private KnownKeys() {}

  /** Fails on every key of {@code settings} that no group declares and no namespace passes. */
  public static void require(Settings settings, List<ConfigKeys> groups) {
    List<String> unknown = new ArrayList<>();
    for (String key : new TreeSet<>(settings.asMap().keySet())) {
      boolean passed = PASS_THROUGH.stream().anyMatch(p -> key.startsWith(p + "."));
      if (!passed && groups.stream().noneMatch(g -> g.declares(key))) {
        unknown.add(key);
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    Set<String> known = new LinkedHashSet<>();
    Set<String> prefixes = new LinkedHashSet<>();
    for (ConfigKeys group : groups) {
      group.keys().stream().map(ConfigKey::name).forEach(known::add);
      group.prefixes().stream().map(p -> p + ".*").forEach(prefixes::add);
    }
    List<String> described =
        unknown.stream().map(key -> "'" + key + "'" + hint(key, known)).toList();
    throw new ConfigException(
        "Unknown configuration key"
            + (unknown.size() > 1 ? "s " : " ")
            + String.join(", ", described)
            + "; this command reads "
            + (prefixes.isEmpty() ? "no keys" : String.join(", ", prefixes))
            + " and passes spark.* to Spark");
  }

  private static String hint(String key, Set<String> known) {
    if (HADOOP_PREFIXES.stream().anyMatch(key::startsWith)) {
      return " (Hadoop options go under spark.hadoop.: 'spark.hadoop." + key + "')";
    }
    String closest = Closest.of(key, known);
    return closest == null ? "" : " (did you mean '" + closest + "'?)";
  }
}
