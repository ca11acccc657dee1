package org.llamapro.data.dedupe;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.stage.OutputLayout;
import org.llamapro.data.stage.PrepareStage;
import org.llamapro.data.stage.StageContext;
import org.llamapro.data.stage.Tables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dedupe: exact duplicates (hash of normalised text), then near duplicates (MinHash LSH) among the
 * rest, optionally against the signature index of earlier runs. Writes {@code dedupe/audit/} (one
 * row per removed document) and this run's {@code dedupe/index/}.
 */
public final class DedupeStage implements PrepareStage<DedupeReport> {
  public static final String NAME = "dedupe";
  private static final Logger LOG = LoggerFactory.getLogger(DedupeStage.class);

  private final DedupeOptions options;

  public DedupeStage(DedupeOptions options) {
    this.options = requireNonNull(options, "options is null");
  }

  public static DedupeStage from(Settings settings) {
    return new DedupeStage(DedupeOptions.from(settings));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<DedupeReport> reportType() {
    return DedupeReport.class;
  }

  @Override
  public ConfigKeys configKeys() {
    return DedupeOptions.KEYS;
  }

  @Override
  public List<String> outputs(OutputLayout layout) {
    return List.of(layout.resolve("dedupe"));
  }

  @Override
  public DedupeReport run(StageContext context) {
    SparkSession spark = context.spark();
    Tables tables = context.tables();
    Dataset<Row> documents = tables.read(context.layout().documents());
    Dataset<Row> reference =
        options.referenceIndexes().isEmpty()
            ? null
            : SignatureIndex.load(
                tables, options.referenceIndexes(), options.signatureParameters());

    Dataset<Row> keys =
        documents
            .select(
                DocumentColumns.ID,
                DocumentColumns.SOURCE,
                DocumentColumns.TEXT,
                DocumentColumns.META)
            .mapPartitions(
                new DedupeFunctions.Keys(options.normalizer(), options.keepPolicy()),
                Encoders.row(DedupeFunctions.KEYS))
            .persist(StorageLevel.DISK_ONLY());
    try {
      long input = keys.count();
      LOG.info("dedupe: {} documents; normalised-text hashes done", input);
      Long exactRemoved = null;
      NearDedupe.Result nearResult = null;
      Long nearRemoved = null;

      Dataset<Row> audit = AuditRows.empty(spark);
      if (options.exactEnabled()) {
        audit =
            ExactDedupe.removed(
                    keys,
                    reference == null ? null : reference.select("id", "norm_hash"),
                    options.keepPolicy())
                .persist(StorageLevel.DISK_ONLY());
        long exact = audit.count();
        LOG.info("dedupe: {} exact duplicates", exact);
        exactRemoved = exact;
      }
      Dataset<Row> signatures = null;
      NearDedupe nearDedupe = null;
      if (options.nearEnabled()) {
        Dataset<Row> survivorKeys = keys.join(audit.select(AuditColumns.ID), "id", "left_anti");
        Dataset<Row> texts =
            documents
                .select(DocumentColumns.ID, DocumentColumns.TEXT)
                .join(audit.select(AuditColumns.ID), "id", "left_anti");
        nearDedupe = new NearDedupe(options);
        nearResult =
            nearDedupe.run(
                texts,
                survivorKeys,
                reference == null ? null : reference.select("id", "signature"));
        NearDedupe.Result near = nearResult;
        Dataset<Row> nearAudit = near.audit().persist(StorageLevel.DISK_ONLY());
        nearRemoved = nearAudit.count();
        LOG.info(
            "dedupe: {} near duplicates in components of {} documents ({} rounds)",
            nearRemoved,
            near.componentNodes(),
            near.iterations());
        audit = audit.unionByName(nearAudit);
        signatures = near.signatures();
      }

      LOG.info("dedupe: writing {}", context.layout().audit());
      tables.write(audit.orderBy(AuditColumns.ID), context.layout().audit());
      Dataset<Row> written = tables.read(context.layout().audit());
      DedupeReport report =
          new DedupeReport(
              input,
              exactRemoved,
              nearRemoved,
              nearResult == null ? null : nearResult.withoutShingles(),
              nearResult == null ? null : nearResult.candidateEdges(),
              nearResult == null ? null : nearResult.verifiedEdges(),
              nearResult == null ? null : nearResult.componentNodes(),
              nearResult == null ? null : nearResult.iterations(),
              written.count(),
              countsBySourceAndReason(written));

      Dataset<Row> kept = keys.join(written.select(AuditColumns.ID), "id", "left_anti");
      Dataset<Row> indexRows =
          signatures == null
              ? kept.select(
                  col("id"),
                  col("source"),
                  col("norm_hash"),
                  lit(null)
                      .cast(DataTypes.createArrayType(DataTypes.LongType, false))
                      .as("signature"))
              : kept.join(signatures, "id", "left")
                  .select("id", "source", "norm_hash", "signature");
      SignatureIndex.write(
          tables, context.layout().index(), indexRows.orderBy("id"), options.signatureParameters());
      if (nearDedupe != null) {
        nearDedupe.release();
      }
      return report;
    } finally {
      keys.unpersist();
    }
  }

  static Map<String, Map<String, Long>> countsBySourceAndReason(Dataset<Row> audit) {
    Map<String, Map<String, Long>> counts = new TreeMap<>();
    for (Row row :
        audit.groupBy(AuditColumns.SOURCE, AuditColumns.REASON).count().collectAsList()) {
      counts
          .computeIfAbsent(row.getString(0), s -> new TreeMap<>())
          .put(row.getString(1), row.getLong(2));
    }
    return counts;
  }
}
