package org.llamapro.data.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/** Session settings that hold for one action and are then put back as they were. */
public final class SessionConf {
  private SessionConf() {}

  /**
   * Runs {@code action} with {@code settings} in the session conf (where Spark's file writers read
   * Hadoop settings such as {@code parquet.block.size}), then restores the previous values.
   */
  public static void with(SparkSession spark, Map<String, String> settings, Runnable action) {
    RuntimeConfig conf = spark.conf();
    Map<String, Option<String>> previous = new LinkedHashMap<>();
    settings.forEach(
        (key, value) -> {
          previous.put(key, conf.getOption(key));
          conf.set(key, value);
        });
    try {
      action.run();
    } finally {
      previous.forEach(
          (key, value) -> {
            if (value.isDefined()) {
              conf.set(key, value.get());
            } else {
              conf.unset(key);
            }
          });
    }
  }
}
