package org.llamapro.config;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One configuration key: its dotted name ({@code pack.seq-len}), type, default and a one-line
 * description. Options classes declare their keys as constants of this type, read them with {@link
 * #get}, and list them in a {@link ConfigKeys} group, from which {@code docs/configuration.md} is
 * generated.
 *
 * @param <T> the value's type
 */
public final class ConfigKey<T> implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)+");

  /** Reads a typed value from settings; the default applies when the key is absent. */
  @FunctionalInterface
  private interface Reader<T> extends Serializable {
    T read(Settings settings, String name, T defaultValue);
  }

  private final String name;
  private final String type;
  private final T defaultValue;
  private final String description;
  private final Reader<T> reader;

  private ConfigKey(
      String name, String type, T defaultValue, String description, Reader<T> reader) {
    this.name = requireNonNull(name, "name is null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Invalid configuration key name: '" + name + "' (expected dotted lower-case words)");
    }
    this.type = type;
    this.defaultValue = defaultValue;
    this.description = requireNonNull(description, "description is null");
    this.reader = reader;
  }

  public static ConfigKey<Integer> ofInt(String name, int defaultValue, String description) {
    return new ConfigKey<>(name, "int", defaultValue, description, Settings::getInt);
  }

  public static ConfigKey<Long> ofLong(String name, long defaultValue, String description) {
    return new ConfigKey<>(name, "long", defaultValue, description, Settings::getLong);
  }

  public static ConfigKey<Double> ofDouble(String name, double defaultValue, String description) {
    return new ConfigKey<>(name, "double", defaultValue, description, Settings::getDouble);
  }

  public static ConfigKey<Boolean> ofBoolean(
      String name, boolean defaultValue, String description) {
    return new ConfigKey<>(name, "boolean", defaultValue, description, Settings::getBoolean);
  }

  /** A size in bytes, written as {@code 32m}, {@code 1g} or a plain number. */
  public static ConfigKey<Long> ofBytes(String name, long defaultValue, String description) {
    return new ConfigKey<>(name, "bytes", defaultValue, description, Settings::getBytes);
  }

  /** A string; {@code defaultValue} may be empty (documented as "(none)"). */
  public static ConfigKey<String> ofString(String name, String defaultValue, String description) {
    return new ConfigKey<>(
        name,
        "string",
        requireNonNull(defaultValue, "defaultValue is null"),
        description,
        Settings::getString);
  }

  /** A comma-separated list. */
  public static ConfigKey<List<String>> ofList(
      String name, List<String> defaultValue, String description) {
    return new ConfigKey<>(name, "list", List.copyOf(defaultValue), description, Settings::getList);
  }

  /**
   * An open family of keys {@code PREFIX.<name>} (e.g. {@code ingest.input.stack}): every key under
   * {@code prefix} is declared, and {@link #get} returns them as name to value.
   */
  public static ConfigKey<Map<String, String>> ofMap(String prefix, String description) {
    return new ConfigKey<>(
        prefix,
        "map",
        Map.of(),
        description,
        (settings, name, defaultValue) -> {
          Map<String, String> entries = new TreeMap<>();
          settings
              .asMap()
              .forEach(
                  (key, value) -> {
                    if (key.startsWith(name + ".")) {
                      entries.put(key.substring(name.length() + 1), value);
                    }
                  });
          return Collections.unmodifiableMap(entries);
        });
  }

  /** Whether {@code key} is this key, or one of its family for a {@link #ofMap} key. */
  public boolean matches(String key) {
    return isFamily() ? key.startsWith(name + ".") : key.equals(name);
  }

  /** A {@link #ofMap} key: it stands for every key under its name. */
  public boolean isFamily() {
    return type.equals("map");
  }

  /** The name as a user writes it: {@code ingest.input.<name>} for a family. */
  public String displayName() {
    return isFamily() ? name + ".<name>" : name;
  }

  /** The value in {@code settings}, or the default; a malformed value fails naming the key. */
  public T get(Settings settings) {
    return reader.read(settings, name, defaultValue);
  }

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** The default as a user would write it in a properties file. */
  public String defaultText() {
    if (defaultValue instanceof Map<?, ?>
        || "".equals(defaultValue)
        || (defaultValue instanceof List<?> empty && empty.isEmpty())) {
      return "(none)";
    }
    if (defaultValue instanceof List<?> list) {
      return String.join(",", list.stream().map(String::valueOf).toList());
    }
    if (defaultValue instanceof Long bytes && type.equals("bytes")) {
      return ByteSize.format(bytes);
    }
    return String.valueOf(defaultValue);
  }

  @Override
  public String toString() {
    return name;
  }
}
