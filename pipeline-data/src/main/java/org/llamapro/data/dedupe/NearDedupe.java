package org.llamapro.data.dedupe;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Near duplicates: MinHash signatures, LSH banding, one star of edges per bucket (the bucket's
 * smallest node to each other member, never all pairs), optional exact-Jaccard verification of the
 * edges, connected components, and the keep policy per component.
 *
 * <p>Graph nodes are {@code n|<id>} for this run's documents and {@code r|<id>} for reference-index
 * documents, so an id that appears in both stays two nodes. Reference documents always win their
 * component and are never removed; buckets of reference documents only are ignored.
 */
final class NearDedupe {
  private static final Logger LOG = LoggerFactory.getLogger(NearDedupe.class);
  private static final String NEW = "n|";
  private static final String REF = "r|";

  /** Up to this many candidate ids are broadcast (about 100 bytes each) to filter texts. */
  private static final long BROADCAST_IDS = 1_000_000;

  private static final StructType SIMILARITY =
      new StructType()
          .add("a", DataTypes.StringType, false)
          .add("b", DataTypes.StringType, false)
          .add("similarity", DataTypes.DoubleType, false);

  /** The audit rows, this run's signatures (id, signature), and counts for the report. */
  record Result(
      Dataset<Row> audit,
      Dataset<Row> signatures,
      long withoutShingles,
      long candidateEdges,
      long verifiedEdges,
      long componentNodes,
      int iterations) {}

  private final DedupeOptions options;
  private final List<Dataset<Row>> persisted = new ArrayList<>();

  NearDedupe(DedupeOptions options) {
    this.options = requireNonNull(options, "options is null");
  }

  /**
   * @param texts (id, text) of the documents that survived exact dedupe
   * @param keys their {@link DedupeFunctions#KEYS} rows
   * @param reference reference index rows (id, signature), or null
   */
  Result run(Dataset<Row> texts, Dataset<Row> keys, Dataset<Row> reference) {
    Dataset<Row> signatures =
        texts
            .mapPartitions(
                new DedupeFunctions.Signatures(options.shingler(), options.minHasher()),
                Encoders.row(DedupeFunctions.SIGNATURES))
            .transform(this::keep);
    long withoutShingles = signatures.filter(col("signature").isNull()).count();
    LOG.info(
        "dedupe: MinHash signatures done ({} documents without shingles skipped)", withoutShingles);

    Dataset<Row> newNodes =
        signatures
            .filter(col("signature").isNotNull())
            .select(
                concat(lit(NEW), col("id")).as("node"), col("signature"), lit(false).as("is_ref"));
    Dataset<Row> nodes =
        reference == null
            ? newNodes
            : newNodes.unionByName(
                reference
                    .filter(col("signature").isNotNull())
                    .select(
                        concat(lit(REF), col("id")).as("node"),
                        col("signature"),
                        lit(true).as("is_ref")));
    Dataset<Row> bands =
        nodes.flatMap(
            new DedupeFunctions.Bands(options.bands(), options.rows()),
            Encoders.row(DedupeFunctions.BANDS));

    // One star per bucket: its smallest node (reference nodes first) to every other member.
    WindowSpec bucket = Window.partitionBy("band", "bucket");
    Dataset<Row> edges =
        bands
            .withColumn(
                "root",
                min(struct(not(col("is_ref")).as("new"), col("node").as("node"))).over(bucket))
            .withColumn("size", count(lit(1)).over(bucket))
            .withColumn("new_members", sum(when(col("is_ref"), 0).otherwise(1)).over(bucket))
            .filter(
                col("size")
                    .gt(1)
                    .and(col("new_members").gt(0))
                    .and(col("node").notEqual(col("root.node")))
                    .and(not(col("is_ref").and(not(col("root.new"))))))
            .select(col("root.node").as("src"), col("node").as("dst"))
            .distinct()
            .transform(this::keep);
    long candidateEdges = edges.count();
    LOG.info(
        "dedupe: {} candidate edges from LSH buckets ({} bands x {} rows)",
        candidateEdges,
        options.bands(),
        options.rows());

    // Only documents on a candidate edge need their text again: filter once, and without a
    // shuffle of every text when the candidate set is small enough to broadcast.
    Dataset<Row> edgeNodes =
        edges
            .select(col("src").as("node"))
            .union(edges.select(col("dst").as("node")))
            .filter(col("node").startsWith(NEW))
            .distinct()
            .select(col("node").substr(3, Integer.MAX_VALUE).as("id"))
            .transform(this::keep);
    long edgeNodeCount = edgeNodes.count();
    Dataset<Row> candidateTexts =
        texts
            .join(
                edgeNodeCount <= BROADCAST_IDS ? functions.broadcast(edgeNodes) : edgeNodes,
                "id",
                "left_semi")
            .transform(this::keep);
    Dataset<Row> verified = edges;
    long verifiedEdges = candidateEdges;
    if (options.verify()) {
      verified =
          similarity(edges.select(col("src").as("a"), col("dst").as("b")), nodes, candidateTexts)
              .filter(col("similarity").geq(options.threshold()))
              .select(col("a").as("src"), col("b").as("dst"))
              .transform(this::keep);
      verifiedEdges = verified.count();
      LOG.info(
          "dedupe: {} of {} candidate edges verified (Jaccard >= {})",
          verifiedEdges,
          candidateEdges,
          options.threshold());
    }

    ConnectedComponents.Result components =
        ConnectedComponents.of(verified, options.maxIterations());
    Dataset<Row> members =
        components
            .components()
            .join(
                keys.select(
                    concat(lit(NEW), col("id")).as("node"),
                    col("source"),
                    col(KeepPolicy.PERMISSIVE),
                    col(KeepPolicy.STARS)),
                "node",
                "left")
            .withColumn("is_ref", col("node").startsWith(REF))
            .transform(this::keep);
    long componentNodes = members.count();
    List<Column> order = new ArrayList<>();
    order.add(col("is_ref").desc());
    order.addAll(options.keepPolicy().sortColumns("node"));
    WindowSpec byComponent = Window.partitionBy("component").orderBy(order.toArray(Column[]::new));
    Dataset<Row> removed =
        members
            .withColumn("keeper", first("node").over(byComponent))
            .filter(not(col("is_ref")).and(col("node").notEqual(col("keeper"))));
    Dataset<Row> scored =
        removed
            .select(col("node").as("a"), col("keeper").as("b"))
            .transform(pairs -> similarity(pairs, nodes, candidateTexts))
            .join(
                removed.select(
                    col("node").as("a"), col("keeper").as("b"), col("source"), col("component")),
                new String[] {"a", "b"});
    Dataset<Row> audit =
        AuditRows.select(
            scored,
            col("a").substr(3, Integer.MAX_VALUE),
            col("source"),
            AuditColumns.NEAR,
            col("b").substr(3, Integer.MAX_VALUE),
            col("similarity"),
            concat(lit("near:"), col("component").substr(3, Integer.MAX_VALUE)),
            AuditRows.none(),
            AuditRows.none(),
            when(col("b").startsWith(REF), lit("kept document is in the reference index")));
    return new Result(
        audit,
        signatures,
        withoutShingles,
        candidateEdges,
        verifiedEdges,
        componentNodes,
        components.iterations());
  }

  /** Persists a dataset on disk until {@link #release()}. */
  private Dataset<Row> keep(Dataset<Row> data) {
    Dataset<Row> kept = data.persist(StorageLevel.DISK_ONLY());
    persisted.add(kept);
    return kept;
  }

  /** Drops what this run persisted; call once its results are written. */
  void release() {
    persisted.forEach(Dataset::unpersist);
    persisted.clear();
  }

  /**
   * Similarity of node pairs (a, b): exact Jaccard of shingles when verification is on and both are
   * this run's documents (their texts are at hand), else the MinHash estimate.
   */
  private Dataset<Row> similarity(Dataset<Row> pairs, Dataset<Row> nodes, Dataset<Row> texts) {
    Dataset<Row> signatures = nodes.select("node", "signature");
    Dataset<Row> joined =
        pairs
            .join(signatures.select(col("node").as("a"), col("signature").as("sig_a")), "a")
            .join(signatures.select(col("node").as("b"), col("signature").as("sig_b")), "b");
    if (options.verify()) {
      Dataset<Row> byNode = texts.select(concat(lit(NEW), col("id")).as("node"), col("text"));
      joined =
          joined
              .join(byNode.select(col("node").as("a"), col("text").as("text_a")), "a", "left")
              .join(byNode.select(col("node").as("b"), col("text").as("text_b")), "b", "left");
    } else {
      joined =
          joined
              .withColumn("text_a", lit(null).cast(DataTypes.StringType))
              .withColumn("text_b", lit(null).cast(DataTypes.StringType));
    }
    return joined
        .select("a", "b", "sig_a", "sig_b", "text_a", "text_b")
        .mapPartitions(
            new DedupeFunctions.Similarity(options.shingler()), Encoders.row(SIMILARITY));
  }
}
