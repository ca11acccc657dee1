package org.llamapro.cli.config;

import java.util.Map;
import org.llamapro.config.Settings;

/**
 * {@code spark.*} settings (with {@code spark.hadoop.*} for Hadoop filesystems such as s3a) go to
 * the Spark session as {@code spark-submit --conf} sends them: as JVM system properties, which the
 * session's configuration reads when the command starts it. A setting here wins over the same key
 * given to spark-submit.
 */
public final class SparkPassThrough {
  public static final String PREFIX = "spark";

  private SparkPassThrough() {}

  /** Sets every {@code spark.*} key of {@code settings} for the session the command starts. */
  public static void apply(Settings settings) {
    for (Map.Entry<String, String> entry : settings.asMap().entrySet()) {
      if (entry.getKey().startsWith(PREFIX + ".")) {
        System.setProperty(entry.getKey(), entry.getValue());
      }
    }
  }
}
