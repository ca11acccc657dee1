package org.llamapro.train.spark;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;
import org.llamapro.train.allreduce.AllReduceConfig;
import org.llamapro.train.trainer.TrainConfig;

/**
 * The settings of a data-parallel run, resolved once on the driver: the trainer's {@code train.*}
 * keys, the all-reduce's {@code train.allreduce.*} keys and this package's {@code train.spark.*}
 * keys. Executors receive only {@link #values()} (a small map of strings) and resolve it again.
 *
 * @param values every {@code train.*} key given, as strings
 * @param executorWait how long the driver waits for enough executors to register
 */
public record SparkTrainSettings(Map<String, String> values, Duration executorWait)
    implements Serializable {
  public static final String EXECUTOR_WAIT = "train.spark.executor-wait";
  public static final Duration EXECUTOR_WAIT_DEFAULT = Duration.ofSeconds(120);

  public SparkTrainSettings {
    values = Map.copyOf(new TreeMap<>(requireNonNull(values, "values is null")));
    requireNonNull(executorWait, "executorWait is null");
  }

  /**
   * Resolves and validates everything (the trainer config, the all-reduce config, the wait).
   *
   * @throws ConfigException for an unknown key or a bad value
   */
  public static SparkTrainSettings from(Settings settings) {
    requireNonNull(settings, "settings is null");
    Map<String, String> values = new TreeMap<>();
    settings
        .asMap()
        .forEach(
            (k, v) -> {
              if (k.startsWith(TrainConfig.PREFIX + ".")) {
                values.put(k, v);
              }
            });
    Duration wait = EXECUTOR_WAIT_DEFAULT;
    if (values.containsKey(EXECUTOR_WAIT)) {
      wait = parseSeconds(values.get(EXECUTOR_WAIT));
    }
    SparkTrainSettings resolved = new SparkTrainSettings(values, wait);
    resolved.trainConfig(); // validates now, on the driver, not in W tasks
    resolved.allReduceConfig();
    return resolved;
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

  /** The trainer's config: the {@code train.*} keys without the all-reduce's and Spark's. */
  public TrainConfig trainConfig() {
    Map<String, String> trainer = new TreeMap<>(values);
    trainer
        .keySet()
        .removeIf(k -> k.startsWith("train.allreduce.") || k.startsWith("train.spark."));
    Settings settings = Settings.of(trainer);
    return TrainConfig.from(settings);
  }

  /** The gradient exchange's config; also rejects unknown {@code train.allreduce.*} keys. */
  public AllReduceConfig allReduceConfig() {
    Settings settings = Settings.of(values);
    settings.requireKnown(List.of("train.spark"), List.of(EXECUTOR_WAIT));
    return AllReduceConfig.from(settings); // rejects unknown train.allreduce.* keys itself
  }

  /** The same settings with one key replaced (e.g. {@code train.resume} on a retried attempt). */
  public SparkTrainSettings with(String key, String value) {
    Map<String, String> copy = new TreeMap<>(values);
    copy.put(key, value);
    return new SparkTrainSettings(copy, executorWait);
  }
}
