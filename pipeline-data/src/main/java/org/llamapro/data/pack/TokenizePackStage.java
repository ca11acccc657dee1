package org.llamapro.data.pack;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.spark.SerializableHadoopConf;
import org.llamapro.data.tokenize.TokenizerCache;
import org.llamapro.data.tokenize.TokenizerFile;
import org.llamapro.shards.DeltaLog;
import org.llamapro.shards.ShardBuild;
import org.llamapro.shards.ShardManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Tokenize, mix and pack: clean documents ({@link DocumentColumns}) in, a shard table ({@link
 * ShardSchema}, Delta Lake over Parquet) and {@code manifest.json} out.
 *
 * <ol>
 *   <li>Tokenize (a shuffle's map side, run as its own stage): each task encodes its documents with
 *       the executor's one tokenizer, picks the split (hash of the id) and the number of copies
 *       (mixture weight, seeded), and sends each copy to the bucket of its seeded position. It
 *       counts the text bytes per split and source, rows that break the documents contract, and the
 *       input's fingerprint. The documents are read once.
 *   <li>Size the packing units from those bytes ({@link UnitLayout}).
 *   <li>Pack: each unit reads the buckets its position range overlaps, keeps its copies in seeded
 *       order, cuts rows of exactly seq-len tokens and writes one Parquet file into the table
 *       directory.
 *   <li>Commit the files as one new version of the Delta table (an overwrite, through Delta's
 *       transaction): a failed run leaves the previous version as it was and deletes its files.
 *       manifest.json is then replaced atomically.
 * </ol>
 */
public final class TokenizePackStage {
  private static final Logger LOG = LoggerFactory.getLogger(TokenizePackStage.class);

  private TokenizePackStage() {}

  /** Runs the stage with an input described only by its path. */
  public static PackResult run(
      SparkSession spark, Dataset<Row> cleanDocuments, PackOptions options, String outputDir) {
    return run(spark, cleanDocuments, options, outputDir, ShardBuild.Input.ofPath("(dataset)"));
  }

  public static PackResult run(
      SparkSession spark,
      Dataset<Row> cleanDocuments,
      PackOptions options,
      String outputDir,
      ShardBuild.Input input) {
    requireNonNull(spark, "spark is null");
    requireNonNull(cleanDocuments, "cleanDocuments is null");
    requireNonNull(options, "options is null");
    requireNonNull(outputDir, "outputDir is null");
    requireNonNull(input, "input is null");
    long started = System.nanoTime();
    String runId = UUID.randomUUID().toString();
    String shardsPath = new Path(outputDir, ShardManifests.SHARDS_DIR).toString();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();

    TokenizerFile tokenizer = TokenizerFile.readOrBundled(options.tokenizer());
    // Fails here, on the driver, for a file the native library cannot load. Through the JVM's
    // cache: in local mode the tasks then reuse this instance instead of loading their own.
    TokenizerCache.get(tokenizer.sha256(), () -> tokenizer).encodeIds("check", true);
    LOG.info(
        "Tokenizer {} (sha256 {}, vocabulary {})",
        tokenizer.name(),
        tokenizer.sha256(),
        tokenizer.vocabSize());

    Dataset<Row> documents =
        cleanDocuments.select(
            col(DocumentColumns.ID),
            col(DocumentColumns.SOURCE),
            col(DocumentColumns.TEXT),
            col(DocumentColumns.CONTENT_HASH));

    // Tokenize + mix (the shuffle's map side): each copy goes to the bucket of its seeded position.
    Buckets buckets = Buckets.forEstimate(estimatedBytes(documents), options);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> tokenizerJson = jsc.broadcast(tokenizer.bytes());
    CollectionAccumulator<TaskCounts> reports =
        spark.sparkContext().collectionAccumulator("tokenize-pack counts " + runId);
    JavaPairRDD<PackKey, PackDoc> shuffled =
        documents
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitionsToPair(
                new TokenizeFunction(
                    options, tokenizer.name(), tokenizer.sha256(), tokenizerJson, buckets, reports))
            .repartitionAndSortWithinPartitions(new BucketPartitioner(buckets));
    long job = System.nanoTime();
    // The driver is idle while the jobs run: it opens the Delta transaction meanwhile (its small
    // snapshot job fills the tokenize stage's last idle core).
    CompletableFuture<ShardTableCommit> transaction =
        CompletableFuture.supplyAsync(() -> ShardTableCommit.begin(spark, shardsPath));
    List<WrittenShard> files;
    UnitLayout layout;
    ShardBuild build;
    try {
      // The map side runs alone first: units are sized from the text bytes it counted, so the
      // documents are read once.
      tokenize(spark, shuffled);
      PackCounts tokenized = collect(reports.value());
      checkContract(tokenized);
      layout = sizeUnits(tokenized, options, buckets);
      LOG.info(
          "{} documents; packing units: {} train, {} validation (shuffle buckets: {} train, {}"
              + " validation)",
          tokenized.documents(),
          layout.trainUnits(),
          layout.validationUnits(),
          buckets.train(),
          buckets.validation());
      build =
          ShardManifests.build(options, tokenizer, input, tokenized.fingerprint(), layout, runId);

      // Pack (the reduce side): each unit reads its buckets, keeps its copies in seeded order and
      // writes one Parquet file into the table directory.
      files =
          shuffled
              .rdd()
              .coalesce(layout.partitions(), false, Option.apply(new UnitCoalescer(layout)), null)
              .toJavaRDD()
              .mapPartitionsWithIndex(
                  new PackFunction(
                      options,
                      layout,
                      reports,
                      shardsPath,
                      runId,
                      new SerializableHadoopConf(hadoop)),
                  true)
              .collect();
    } catch (Exception e) { // Spark's job failures are checked SparkExceptions, rethrown as is.
      deleteRunFiles(hadoop, shardsPath, runId);
      throw e;
    } finally {
      tokenizerJson.destroy();
    }
    double jobSeconds = (System.nanoTime() - job) / 1e9;
    long committing = System.nanoTime();
    PackCounts counts = collect(reports.value());
    long version;
    try {
      counts.checkConservation(); // before the commit: broken rows never become a version
      version = opened(transaction).overwrite(files, build.toJson());
    } catch (RuntimeException e) {
      deleteRunFiles(hadoop, shardsPath, runId);
      throw e;
    }
    DeltaLog.Snapshot snapshot = DeltaLog.snapshot(hadoop, shardsPath, version);
    if (snapshot.userMetadata() == null || !snapshot.userMetadata().contains(runId)) {
      throw new IllegalStateException(
          "Shard table " + shardsPath + " version " + version + " is not this run's commit");
    }

    String manifestPath = new Path(outputDir, ShardManifest.FILE).toString();
    ShardManifests.manifest(build, snapshot, counts).write(hadoop, manifestPath);

    double seconds = (System.nanoTime() - started) / 1e9;
    double[] task = counts.taskSeconds();
    LOG.info(
        "Task seconds (summed over tasks): encode {}, tokenize tasks {}, pack+write {}, pack tasks"
            + " {}; driver seconds: setup {}, tokenize and pack jobs {}, commit and"
            + " manifest {}",
        String.format("%.1f", task[0]),
        String.format("%.1f", task[1]),
        String.format("%.1f", task[2]),
        String.format("%.1f", task[3]),
        String.format("%.2f", (job - started) / 1e9),
        String.format("%.2f", jobSeconds),
        String.format("%.2f", (System.nanoTime() - committing) / 1e9));
    LOG.info(
        "Shards version {}: {} train rows, {} validation rows in {} s",
        version,
        counts.rows(PackCounts.TRAIN),
        counts.rows(PackCounts.VALIDATION),
        Math.round(seconds));
    return new PackResult(
        shardsPath, manifestPath, version, counts, ShardManifests.units(layout), seconds);
  }

  private static ShardTableCommit opened(CompletableFuture<ShardTableCommit> transaction) {
    try {
      return transaction.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  /** Runs the shuffle's map side (tokenization) as its own stage, before the units are sized. */
  private static void tokenize(SparkSession spark, JavaPairRDD<PackKey, PackDoc> shuffled) {
    ShuffleDependency<?, ?, ?> dependency =
        (ShuffleDependency<?, ?, ?>) shuffled.rdd().dependencies().head();
    try {
      spark.sparkContext().submitMapStage(dependency).get();
    } catch (SparkException e) {
      throw new IllegalStateException("Tokenization failed: " + e.getMessage(), e);
    }
  }

  /** The documents contract, checked on what the tokenize tasks counted. */
  private static void checkContract(PackCounts tokenized) {
    tokenized
        .nullRows()
        .forEach(
            (source, rows) -> {
              throw new IllegalArgumentException(
                  "Documents table has "
                      + rows
                      + " row(s) with a null id, source or text (source "
                      + source
                      + "); expected the schema of org.llamapro.data.DocumentColumns");
            });
  }

  /** Units of about unit-bytes of text per split, source weights applied to train (as mixed). */
  private static UnitLayout sizeUnits(PackCounts tokenized, PackOptions options, Buckets buckets) {
    double trainBytes = 0;
    double validationBytes = 0;
    for (Map.Entry<String, Map<String, SourceCounts>> split : tokenized.bySplit().entrySet()) {
      for (Map.Entry<String, SourceCounts> source : split.getValue().entrySet()) {
        long bytes = source.getValue().bytes();
        if (PackCounts.TRAIN.equals(split.getKey())) {
          trainBytes += bytes * options.weight(source.getKey());
        } else {
          validationBytes += bytes;
        }
      }
    }
    return UnitLayout.sized(trainBytes, validationBytes, options.unitBytes(), buckets);
  }

  /** Spark's size estimate of the input (file bytes for a table); sets the shuffle's buckets. */
  private static double estimatedBytes(Dataset<Row> documents) {
    double estimate =
        documents.queryExecution().optimizedPlan().stats().sizeInBytes().doubleValue();
    // Spark's "unknown" is spark.sql.defaultSizeInBytes (Long.MAX_VALUE): fall back to a full
    // input split (Spark's default 128 MiB) per partition.
    if (estimate >= Long.MAX_VALUE / 2.0) {
      estimate = documents.rdd().getNumPartitions() * 128.0 * 1024 * 1024;
    }
    return estimate;
  }

  /** Best effort after a failed run: its files were never committed, so no reader sees them. */
  private static void deleteRunFiles(Configuration conf, String table, String runId) {
    try {
      Path dir = new Path(table);
      FileSystem fs = dir.getFileSystem(conf);
      FileStatus[] files = fs.globStatus(new Path(dir, PackFunction.runFiles(runId)));
      for (FileStatus file : files == null ? new FileStatus[0] : files) {
        fs.delete(file.getPath(), false);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "Could not delete the files of failed run {} under {}: {}", runId, table, e.toString());
    }
  }

  private static PackCounts collect(List<TaskCounts> reports) {
    // A retried or re-run task reports the same key with the same counts: keep one per key.
    Map<String, PackCounts> byKey = new HashMap<>();
    for (TaskCounts report : reports) {
      byKey.putIfAbsent(report.key(), report.counts());
    }
    PackCounts total = new PackCounts();
    byKey.values().forEach(total::add);
    return total;
  }
}
