package org.llamapro.train.spark;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.llamapro.config.ConfigException;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;
import org.llamapro.train.allreduce.AllReduceConfig;
import org.llamapro.train.trainer.TrainConfig;

/**
 * The settings of a data-parallel run, resolved once on the driver: the trainer's {@code train.*}
 * keys, the all-reduce's {@code train.allreduce.*} keys and this package's {@code train.spark.*}
 * keys ({@link #KEYS}). Executors receive only {@link #values()} (a small map of strings) and
 * resolve it again.
 */
public final class SparkTrainSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final ConfigKey<String> EXECUTOR_WAIT =
      ConfigKey.ofString(
          "train.spark.executor-wait",
          "120s",
          "How long the driver waits for executors to offer one task slot per rank.");

  public static final ConfigKeys KEYS =
      ConfigKeys.of("Training on Spark", List.of("train.spark"), EXECUTOR_WAIT);

  private final TreeMap<String, String> values;
  private final Duration executorWait;

  private SparkTrainSettings(Map<String, String> values, Duration executorWait) {
    this.values = new TreeMap<>(values);
    this.executorWait = executorWait;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Resolves and validates everything (the trainer config, the all-reduce config, the wait).
   *
   * @throws ConfigException for an unknown key or a bad value
   */
  public static SparkTrainSettings from(Settings settings) {
    requireNonNull(settings, "settings is null");
    KEYS.requireKnown(settings);
    Map<String, String> values = new TreeMap<>();
    settings
        .asMap()
        .forEach(
            (k, v) -> {
              if (k.startsWith(TrainConfig.PREFIX + ".")) {
                values.put(k, v);
              }
            });
    return builder()
        .setValues(values)
        .optExecutorWait(parseSeconds(EXECUTOR_WAIT.get(settings)))
        .build();
  }

  private static Duration parseSeconds(String text) {
    String value = text.trim();
    try {
      long seconds =
          Long.parseLong(value.endsWith("s") ? value.substring(0, value.length() - 1) : value);
      if (seconds <= 0) {
        throw new NumberFormatException();
      }
      return Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "Invalid " + EXECUTOR_WAIT + ": '" + text + "' (expected seconds > 0, e.g. 120s)", e);
    }
  }

  /** Every {@code train.*} key given, as strings. */
  public Map<String, String> values() {
    return java.util.Collections.unmodifiableMap(values);
  }

  /** How long the driver waits for enough executors to register. */
  public Duration executorWait() {
    return executorWait;
  }

  /** The trainer's config: the {@code train.*} keys without the all-reduce's and Spark's. */
  public TrainConfig trainConfig() {
    Map<String, String> trainer = new TreeMap<>(values);
    trainer
        .keySet()
        .removeIf(k -> k.startsWith("train.allreduce.") || k.startsWith("train.spark."));
    return TrainConfig.from(Settings.of(trainer));
  }

  /** The gradient exchange's config; also rejects unknown {@code train.allreduce.*} keys. */
  public AllReduceConfig allReduceConfig() {
    Settings settings = Settings.of(values);
    return AllReduceConfig.from(settings); // rejects unknown train.allreduce.* keys itself
  }

  /** The same settings with one key replaced (e.g. {@code train.resume} on a retried attempt). */
  public SparkTrainSettings with(String key, String value) {
    Map<String, String> copy = new TreeMap<>(values);
    copy.put(key, value);
    return new SparkTrainSettings(copy, executorWait);
  }

  /** Collects the settings; {@link #build()} resolves and validates them. */
  public static final class Builder {
    private Map<String, String> values;
    private Duration executorWait = Duration.ofSeconds(120);

    private Builder() {}

    /** The {@code train.*} keys (trainer, all-reduce, Spark) as strings. */
    public Builder setValues(Map<String, String> values) {
      this.values = values;
      return this;
    }

    public Builder optExecutorWait(Duration wait) {
      this.executorWait = wait;
      return this;
    }

    /**
     * @throws ConfigException for a bad value, naming the key
     */
    public SparkTrainSettings build() {
      requireNonNull(values, "values is null");
      if (executorWait == null || executorWait.isNegative() || executorWait.isZero()) {
        throw new ConfigException(
            "Invalid " + EXECUTOR_WAIT + ": " + executorWait + " (expected seconds > 0)");
      }
      SparkTrainSettings resolved = new SparkTrainSettings(values, executorWait);
      resolved.trainConfig(); // validates now, on the driver, not in W tasks
      resolved.allReduceConfig();
      return resolved;
    }
  }
}
