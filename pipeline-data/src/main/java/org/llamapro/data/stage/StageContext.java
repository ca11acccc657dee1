package org.llamapro.data.stage;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** What a stage sees while it runs: Spark, the output layout, and the reports of earlier stages. */
public final class StageContext {
  private final SparkSession spark;
  private final OutputLayout layout;
  private final Tables tables;
  private final Map<String, StageReport> earlierReports;

  public StageContext(
      SparkSession spark,
      OutputLayout layout,
      Tables tables,
      Map<String, StageReport> earlierReports) {
    this.spark = requireNonNull(spark, "spark is null");
    this.layout = requireNonNull(layout, "layout is null");
    this.tables = requireNonNull(tables, "tables is null");
    this.earlierReports = requireNonNull(earlierReports, "earlierReports is null");
  }

  public SparkSession spark() {
    return spark;
  }

  public OutputLayout layout() {
    return layout;
  }

  public Tables tables() {
    return tables;
  }

  /**
   * The report of an earlier stage (from this run or from its progress marker), or null when that
   * stage did not run.
   */
  public <R extends StageReport> R report(String stage, Class<R> type) {
    StageReport report = earlierReports.get(stage);
    return report == null ? null : type.cast(report);
  }
}
