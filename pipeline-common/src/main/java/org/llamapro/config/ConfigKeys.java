package org.llamapro.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The keys one options class reads, with the prefixes it owns ({@code pack} for {@code pack.*}): a
 * key under an owned prefix that is not declared here is a typo, and {@link #requireKnown} refuses
 * it naming the closest declared key.
 */
public final class ConfigKeys {
  private final String title;
  private final List<String> prefixes;
  private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();

  private ConfigKeys(String title, List<String> prefixes, List<ConfigKey<?>> keys) {
    this.title = requireNonNull(title, "title is null");
    this.prefixes = List.copyOf(prefixes);
    for (ConfigKey<?> key : keys) {
      if (this.keys.put(key.name(), key) != null) {
        throw new IllegalArgumentException("Configuration key declared twice: " + key.name());
      }
      if (prefixes.stream().noneMatch(p -> key.name().startsWith(p + "."))) {
        throw new IllegalArgumentException(
            "Configuration key " + key.name() + " is outside the prefixes " + prefixes);
      }
    }
  }

  /** A group titled {@code title} (a section of the configuration reference). */
  public static ConfigKeys of(String title, List<String> prefixes, ConfigKey<?>... keys) {
    return new ConfigKeys(title, prefixes, List.of(keys));
  }

  /** This group and {@code other} as one: for commands that read several options classes. */
  public ConfigKeys and(ConfigKeys other) {
    List<String> allPrefixes = new ArrayList<>(prefixes);
    other.prefixes.stream().filter(p -> !allPrefixes.contains(p)).forEach(allPrefixes::add);
    List<ConfigKey<?>> all = new ArrayList<>(keys.values());
    all.addAll(other.keys.values());
    return new ConfigKeys(title + ", " + other.title, allPrefixes, all);
  }

  public String title() {
    return title;
  }

  public List<String> prefixes() {
    return prefixes;
  }

  public List<ConfigKey<?>> keys() {
    return List.copyOf(keys.values());
  }

  public List<String> names() {
    return List.copyOf(keys.keySet());
  }

  /** Whether {@code key} is one of this group's keys (or of one of its key families). */
  public boolean declares(String key) {
    ConfigKey<?> exact = keys.get(key);
    if (exact != null && !exact.isFamily()) {
      return true;
    }
    return keys.values().stream().anyMatch(k -> k.isFamily() && k.matches(key));
  }

  /** Whether {@code key} is under one of the prefixes this group owns. */
  public boolean owns(String key) {
    return prefixes.stream().anyMatch(p -> key.startsWith(p + "."));
  }

  /** Fails on a key under one of the owned prefixes that is not declared. */
  public void requireKnown(Settings settings) {
    TreeSet<String> unknown = new TreeSet<>();
    for (String key : settings.asMap().keySet()) {
      if (owns(key) && !declares(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      String first = unknown.first();
      throw new ConfigException(
          "Unknown configuration key"
              + (unknown.size() > 1 ? "s " + unknown : " '" + first + "'")
              + closestHint(first)
              + "; known keys are "
              + new TreeSet<>(keys.values().stream().map(ConfigKey::displayName).toList()));
    }
  }

  private String closestHint(String key) {
    String best = Closest.of(key, keys.keySet());
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }
}
