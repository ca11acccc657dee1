package org.llamapro.data.prepare;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.llamapro.config.ConfigKeys;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.dedupe.AuditColumns;
import org.llamapro.data.ingest.IngestReport;
import org.llamapro.data.ingest.IngestStage;
import org.llamapro.data.stage.OutputLayout;
import org.llamapro.data.stage.PrepareStage;
import org.llamapro.data.stage.StageContext;
import org.llamapro.data.stage.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code clean/}: the documents that no stage removed, in the documents table's schema,
 * hash-partitioned and sorted by id (deterministic files), and the per-source totals.
 */
final class CleanStage implements PrepareStage<CleanReport> {
  static final String NAME = "clean";
  private static final Logger LOG = LoggerFactory.getLogger(CleanStage.class);

  private final long targetFileBytes;

  CleanStage(long targetFileBytes) {
    this.targetFileBytes = targetFileBytes;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<CleanReport> reportType() {
    return CleanReport.class;
  }

  @Override
  public ConfigKeys configKeys() {
    return PrepareOptions.KEYS;
  }

  @Override
  public List<String> outputs(OutputLayout layout) {
    return List.of(layout.clean());
  }

  @Override
  public CleanReport run(StageContext context) {
    Tables tables = context.tables();
    Dataset<Row> documents = tables.read(context.layout().documents());
    Dataset<Row> audit = tables.read(context.layout().audit());
    IngestReport ingest = context.report(IngestStage.NAME, IngestReport.class);
    long inputBytes = ingest == null ? 0 : ingest.bytes();
    int files =
        (int) Math.max(1, Math.min(100_000, (inputBytes + targetFileBytes - 1) / targetFileBytes));
    Dataset<Row> clean =
        documents
            .join(audit.select(AuditColumns.ID).distinct(), DocumentColumns.ID, "left_anti")
            .select(DocumentColumns.ID, rest(DocumentColumns.SCHEMA.fieldNames()))
            .repartition(files, col(DocumentColumns.ID))
            .sortWithinPartitions(DocumentColumns.ID);
    LOG.info("clean: writing {} ({} file(s))", context.layout().clean(), files);
    tables.write(clean, context.layout().clean());

    Map<String, CleanReport.Source> perSource = new TreeMap<>();
    for (Row row :
        tables
            .read(context.layout().clean())
            .groupBy(DocumentColumns.SOURCE)
            .agg(
                count("*").as("documents"),
                sum(functions.octet_length(col(DocumentColumns.TEXT))).as("bytes"))
            .collectAsList()) {
      perSource.put(
          row.getString(0),
          new CleanReport.Source(row.getLong(1), row.isNullAt(2) ? 0L : row.getLong(2)));
    }
    long documentsOut = perSource.values().stream().mapToLong(CleanReport.Source::documents).sum();
    long bytesOut = perSource.values().stream().mapToLong(CleanReport.Source::bytes).sum();
    LOG.info("clean: {} documents ({} bytes) survive", documentsOut, bytesOut);
    return new CleanReport(documentsOut, bytesOut, files, perSource);
  }

  private static String[] rest(String[] names) {
    return java.util.Arrays.copyOfRange(names, 1, names.length);
  }
}
