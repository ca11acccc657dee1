package org.llamapro.data.spark;

import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession the data stages run in. Under {@code spark-submit} the master and cluster
 * settings come from there; run directly ({@code bin/pipeline}), it is local mode with as many
 * threads as cores. Delta Lake is always enabled: shard and document tables are Delta.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** The session for a command: reuses one that spark-submit made, else starts local mode. */
  public static SparkSession getOrCreate(String appName) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(appName)
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            // s3a:// through hadoop-aws; credentials come from the default provider chain.
            .config("spark.hadoop.fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
    if (System.getProperty("spark.master") == null && System.getenv("SPARK_MASTER") == null) {
      builder
          .master("local[*]")
          .config("spark.ui.showConsoleProgress", "false")
          .config("spark.sql.shuffle.partitions", String.valueOf(defaultShufflePartitions()))
          // Input files split into 8 tasks per core (default: 1): CPU-bound stages such as
          // tokenization then end with all cores busy instead of waiting on the largest split.
          .config(
              "spark.sql.files.minPartitionNum",
              String.valueOf(8 * Runtime.getRuntime().availableProcessors()))
          // Delta replays its log in 50 tasks by default; one per core suffices for shard tables.
          .config(
              "spark.databricks.delta.snapshotPartitions",
              String.valueOf(Runtime.getRuntime().availableProcessors()));
    }
    return builder.getOrCreate();
  }

  /**
   * A small local session: two threads, no UI, few shuffle partitions, bound to the loopback
   * interface. For tools that handle small data in-process (the demo-corpus generator) and tests.
   */
  public static SparkSession smallLocal(String appName) {
    return SparkSession.builder()
        .appName(appName)
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
  }

  private static int defaultShufflePartitions() {
    return Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
  }
}
