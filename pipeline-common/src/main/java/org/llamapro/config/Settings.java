package org.llamapro.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Resolved configuration: an immutable, serializable map of dotted keys ({@code
 * dedupe.minhash.num-hashes}) to string values.
 *
 * <p>Resolution order, highest first: explicit command-line options, {@code --set key=value}, the
 * {@code --config} file, then the defaults each stage declares next to its keys. Typed getters
 * validate and name the key and the bad value in their message.
 */
public final class Settings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TreeMap<String, String> values;

  private Settings(Map<String, String> values) {
    this.values = new TreeMap<>(values);
  }

  public static Settings empty() {
    return new Settings(Map.of());
  }

  public static Settings of(Map<String, String> values) {
    return new Settings(requireNonNull(values, "values is null"));
  }

  /** Reads a Java properties file ({@code key = value}, {@code #} comments). */
  public static Settings load(Path file) {
    requireNonNull(file, "file is null");
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("Config file not found: " + file);
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage(), e);
    }
    TreeMap<String, String> map = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      map.put(key.trim(), properties.getProperty(key).trim());
    }
    return new Settings(map);
  }

  /** Parses {@code key=value} overrides as given to {@code --set}. */
  public static Settings parseOverrides(Collection<String> assignments) {
    TreeMap<String, String> map = new TreeMap<>();
    for (String assignment : assignments) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            "Invalid --set value: '"
                + assignment
                + "' (expected key=value, e.g. pack.seq-len=4096)");
      }
      map.put(assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
    }
    return new Settings(map);
  }

  /** Returns these settings with {@code higher}'s values replacing ours where both have a key. */
  public Settings overriddenBy(Settings higher) {
    TreeMap<String, String> merged = new TreeMap<>(values);
    merged.putAll(higher.values);
    return new Settings(merged);
  }

  /** Returns these settings with one more value; a null value leaves the key as it was. */
  public Settings with(String key, Object value) {
    if (value == null) {
      return this;
    }
    TreeMap<String, String> merged = new TreeMap<>(values);
    merged.put(key, String.valueOf(value));
    return new Settings(merged);
  }

  /** Returns these settings with {@code key} set; a null value leaves the key as it was. */
  public Settings with(ConfigKey<?> key, Object value) {
    return with(key.name(), value);
  }

  public Map<String, String> asMap() {
    return java.util.Collections.unmodifiableMap(values);
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public String getString(String key, String defaultValue) {
    String value = values.get(key);
    return value == null ? defaultValue : value;
  }

  public String requireString(String key) {
    String value = values.get(key);
    if (value == null || value.isEmpty()) {
      throw new ConfigException("Missing required configuration: " + key);
    }
    return value;
  }

  public int getInt(String key, int defaultValue) {
    String value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new ConfigException("Invalid " + key + ": '" + value + "' (expected an integer)", e);
    }
  }

  public long getLong(String key, long defaultValue) {
    String value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new ConfigException("Invalid " + key + ": '" + value + "' (expected an integer)", e);
    }
  }

  public double getDouble(String key, double defaultValue) {
    String value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new ConfigException("Invalid " + key + ": '" + value + "' (expected a number)", e);
    }
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    String value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default ->
          throw new ConfigException(
              "Invalid " + key + ": '" + value + "' (expected true or false)");
    };
  }

  /** Reads a byte size such as {@code 5GB}, {@code 512MB}, {@code 1048576}. */
  public long getBytes(String key, long defaultValue) {
    String value = values.get(key);
    return value == null ? defaultValue : ByteSize.parse(key, value);
  }

  /** Reads a comma-separated list; blank entries are dropped. */
  public List<String> getList(String key, List<String> defaultValue) {
    String value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    return java.util.Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Settings that && values.equals(that.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
