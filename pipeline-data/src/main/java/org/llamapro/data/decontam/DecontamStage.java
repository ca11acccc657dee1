package org.llamapro.data.decontam;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.dedupe.AuditColumns;
import org.llamapro.data.dedupe.AuditRows;
import org.llamapro.data.stage.OutputLayout;
import org.llamapro.data.stage.PrepareStage;
import org.llamapro.data.stage.StageContext;
import org.llamapro.data.text.Words;
import org.llamapro.hash.Hash64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decontamination: removes documents that share word n-grams (default 13, as GPT-3) with an
 * evaluation item. Runs on the documents that survived dedupe; adds {@code contamination} rows,
 * naming the benchmark item and the matched n-gram, to {@code dedupe/audit/}.
 */
public final class DecontamStage implements PrepareStage<DecontamReport> {
  public static final String NAME = "decontam";
  private static final Logger LOG = LoggerFactory.getLogger(DecontamStage.class);
  private static final StructType HITS =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("source", DataTypes.StringType, false)
          .add("eval_set", DataTypes.StringType, false)
          .add("eval_item", DataTypes.StringType, false)
          .add("detail", DataTypes.StringType, false);

  private final DecontamOptions options;

  public DecontamStage(DecontamOptions options) {
    this.options = requireNonNull(options, "options is null");
  }

  public static DecontamStage from(Settings settings) {
    return new DecontamStage(DecontamOptions.from(settings));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<DecontamReport> reportType() {
    return DecontamReport.class;
  }

  @Override
  public ConfigKeys configKeys() {
    return DecontamOptions.KEYS;
  }

  @Override
  public List<String> outputs(OutputLayout layout) {
    return List.of(); // its rows in dedupe/audit are replaced in place (replaceWhere)
  }

  @Override
  public DecontamReport run(StageContext context) {
    SparkSession spark = context.spark();
    List<NgramIndex.Item> items = new ArrayList<>();
    Map<String, Integer> itemsPerSet = new TreeMap<>();
    for (EvalSetSpec spec : options.evalSets()) {
      List<NgramIndex.Item> loaded = EvalSetLoader.load(spark, spec);
      itemsPerSet.put(spec.name(), loaded.size());
      items.addAll(loaded);
    }
    NgramIndex index = NgramIndex.build(items, options.ngram());
    if (options.evalSets().isEmpty()) {
      LOG.warn(
          "decontam: no evaluation sets ({} is empty); nothing is removed",
          DecontamOptions.EVAL_SETS);
    } else {
      LOG.info(
          "decontam: {} items of {}, {} distinct {}-grams ({} items too short to match)",
          items.size(),
          itemsPerSet.keySet(),
          index.size(),
          options.ngram(),
          index.itemsWithoutNgrams());
    }
    String auditPath = context.layout().audit();
    Dataset<Row> documents = context.tables().read(context.layout().documents());
    Dataset<Row> survivors =
        documents
            .select(DocumentColumns.ID, DocumentColumns.SOURCE, DocumentColumns.TEXT)
            .join(
                context
                    .tables()
                    .read(auditPath)
                    .filter(col(AuditColumns.REASON).notEqual(AuditColumns.CONTAMINATION))
                    .select(AuditColumns.ID),
                DocumentColumns.ID,
                "left_anti");
    Broadcast<NgramIndex> broadcast =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(index);
    Dataset<Row> hits =
        survivors.flatMap(new Matcher(broadcast, options.minMatches()), Encoders.row(HITS));
    Dataset<Row> audit =
        AuditRows.select(
            hits,
            col("id"),
            col("source"),
            AuditColumns.CONTAMINATION,
            AuditRows.none(),
            AuditRows.none(),
            AuditRows.none(),
            col("eval_set"),
            col("eval_item"),
            col("detail"));
    LOG.info("decontam: matching documents against {} n-grams", index.size());
    context
        .tables()
        .replaceWhere(
            audit.orderBy(AuditColumns.ID),
            auditPath,
            AuditColumns.REASON + " = '" + AuditColumns.CONTAMINATION + "'");
    broadcast.destroy();
    Dataset<Row> written =
        context
            .tables()
            .read(auditPath)
            .filter(col(AuditColumns.REASON).equalTo(AuditColumns.CONTAMINATION));
    Map<String, Long> perSet = new TreeMap<>();
    for (Row row : written.groupBy(AuditColumns.EVAL_SET).count().collectAsList()) {
      perSet.put(row.getString(0), row.getLong(1));
    }
    Map<String, Long> perSource = new TreeMap<>();
    for (Row row : written.groupBy(AuditColumns.SOURCE).count().collectAsList()) {
      perSource.put(row.getString(0), row.getLong(1));
    }
    long removed = perSet.values().stream().mapToLong(Long::longValue).sum();
    LOG.info("decontam: {} contaminated documents removed ({})", removed, perSet);
    return new DecontamReport(
        removed,
        perSet,
        perSource,
        itemsPerSet,
        options.ngram(),
        index.size(),
        index.itemsWithoutNgrams());
  }

  /** Rows (id, source, text) of contaminated documents to {@link #HITS} rows. */
  static final class Matcher implements FlatMapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<NgramIndex> index;
    private final int minMatches;

    Matcher(Broadcast<NgramIndex> index, int minMatches) {
      this.index = index;
      this.minMatches = minMatches;
    }

    @Override
    public Iterator<Row> call(Row row) {
      NgramIndex ngrams = index.value();
      if (ngrams.size() == 0) {
        return java.util.Collections.emptyIterator();
      }
      int n = ngrams.n();
      List<String> words = Words.split(row.getString(2), true);
      if (words.size() < n) {
        return java.util.Collections.emptyIterator();
      }
      long[] wordHashes = new long[words.size()];
      for (int i = 0; i < wordHashes.length; i++) {
        wordHashes[i] = Hash64.of(words.get(i));
      }
      int matches = 0;
      int firstItem = -1;
      int firstAt = -1;
      for (int i = 0; i + n <= wordHashes.length; i++) {
        int item = ngrams.find(Hash64.ofSequence(wordHashes, i, n));
        if (item >= 0) {
          matches++;
          if (firstItem < 0) {
            firstItem = item;
            firstAt = i;
          }
        }
      }
      if (matches < minMatches) {
        return java.util.Collections.emptyIterator();
      }
      String gram = String.join(" ", words.subList(firstAt, firstAt + n));
      return List.of(
              RowFactory.create(
                  row.getString(0),
                  row.getString(1),
                  ngrams.itemSet(firstItem),
                  ngrams.itemId(firstItem),
                  matches + " matching " + n + "-gram(s); first: \"" + gram + "\""))
          .iterator();
    }
  }
}
