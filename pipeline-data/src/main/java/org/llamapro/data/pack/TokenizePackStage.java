package org.llamapro.data.pack;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.data.tokenize.TokenizerCache;
import org.llamapro.data.tokenize.TokenizerFile;
import org.llamapro.shards.DeltaLog;
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

  /** The shard table's directory name under the output directory. */
  public static final String SHARDS_DIR = "shards";

  public static final String MANIFEST_FILE = "manifest.json";

  /** Version of the shard format written into manifests. */
  public static final String FORMAT = "llamapro-shards/1";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TokenizePackStage() {}

  /** Runs the stage with an input described only by its path. */
  public static PackResult run(
      SparkSession spark, Dataset<Row> cleanDocuments, PackOptions options, String outputDir) {
    return run(
        spark, cleanDocuments, options, outputDir, InputSnapshot.of(Map.of("path", "(dataset)")));
  }

  public static PackResult run(
      SparkSession spark,
      Dataset<Row> cleanDocuments,
      PackOptions options,
      String outputDir,
      InputSnapshot input) {
    requireNonNull(spark, "spark is null");
    requireNonNull(cleanDocuments, "cleanDocuments is null");
    requireNonNull(options, "options is null");
    requireNonNull(outputDir, "outputDir is null");
    requireNonNull(input, "input is null");
    long started = System.nanoTime();
    String runId = UUID.randomUUID().toString();
    String shardsPath = new Path(outputDir, SHARDS_DIR).toString();
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
    Map<String, Object> build;
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
      build = buildDescription(options, tokenizer, input, tokenized.fingerprint(), layout);
      build.put("run_id", runId);

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
      version = opened(transaction).overwrite(files, toJson(build));
    } catch (RuntimeException e) {
      deleteRunFiles(hadoop, shardsPath, runId);
      throw e;
    }
    DeltaLog.Snapshot snapshot = DeltaLog.snapshot(hadoop, shardsPath, version);
    if (snapshot.userMetadata() == null || !snapshot.userMetadata().contains(runId)) {
      throw new IllegalStateException(
          "Shard table " + shardsPath + " version " + version + " is not this run's commit");
    }

    Map<String, Object> manifest = new LinkedHashMap<>(build);
    manifest.put("table", SHARDS_DIR);
    manifest.put("table_version", version);
    manifest.put("created", Instant.now().toString());
    manifest.put("counts", counts.toMap());
    manifest.put("files", files(snapshot));
    String manifestPath = new Path(outputDir, MANIFEST_FILE).toString();
    writeAtomically(hadoop, manifestPath, toJson(manifest));

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
    Map<String, Integer> units = new LinkedHashMap<>();
    units.put(PackCounts.TRAIN, layout.trainUnits());
    units.put(PackCounts.VALIDATION, layout.validationUnits());
    return new PackResult(shardsPath, manifestPath, version, counts, units, seconds);
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

  /** Reads a documents table directory: Delta when it has a {@code _delta_log}, else Parquet. */
  public static Dataset<Row> readDocuments(SparkSession spark, String path) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      Path dir = new Path(path);
      if (!dir.getFileSystem(conf).exists(dir)) {
        throw new IllegalArgumentException("Documents table not found: " + path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    }
    Dataset<Row> table =
        DeltaLog.isDeltaTable(conf, path)
            ? spark.read().format("delta").load(path)
            : spark.read().parquet(path);
    for (String column :
        List.of(DocumentColumns.ID, DocumentColumns.SOURCE, DocumentColumns.TEXT)) {
      if (!List.of(table.columns()).contains(column)) {
        throw new IllegalArgumentException(
            "Documents table "
                + path
                + " has no column '"
                + column
                + "' (columns: "
                + String.join(", ", table.columns())
                + "; expected org.llamapro.data.DocumentColumns)");
      }
    }
    if (!List.of(table.columns()).contains(DocumentColumns.CONTENT_HASH)) {
      table = table.withColumn(DocumentColumns.CONTENT_HASH, lit(""));
    }
    return table;
  }

  private static Map<String, Object> buildDescription(
      PackOptions options,
      TokenizerFile tokenizer,
      InputSnapshot input,
      long fingerprint,
      UnitLayout layout) {
    Map<String, Object> build = new LinkedHashMap<>();
    build.put("format", FORMAT);
    Map<String, Object> tok = new LinkedHashMap<>();
    tok.put("path", tokenizer.name());
    tok.put("sha256", tokenizer.sha256());
    tok.put("vocab_size", tokenizer.vocabSize());
    build.put("tokenizer", tok);
    build.put("seq_len", options.seqLen());
    Map<String, Object> special = new LinkedHashMap<>();
    special.put("bos", options.bos().configName());
    special.put("bos_id", LlamaTokenizer.BOS_ID);
    special.put("eos", "end of every document");
    special.put("eos_id", LlamaTokenizer.EOS_ID);
    special.put("pad_id", options.padId());
    special.put("tail", options.tail().configName());
    build.put("special_tokens", special);
    Map<String, Object> mixture = new LinkedHashMap<>();
    mixture.put("weights", options.weights());
    mixture.put("default_weight", options.defaultWeight());
    mixture.put("holdout_fraction", options.holdoutFraction());
    build.put("mixture", mixture);
    build.put("seed", options.seed());
    Map<String, Integer> units = new LinkedHashMap<>();
    units.put(PackCounts.TRAIN, layout.trainUnits());
    units.put(PackCounts.VALIDATION, layout.validationUnits());
    build.put("units", units);
    build.put(
        "input", input.with("documents_fingerprint", String.format("%016x", fingerprint)).fields());
    build.put("options", options.describe());
    return build;
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

  private static List<Map<String, Object>> files(DeltaLog.Snapshot snapshot) {
    List<Map<String, Object>> files = new ArrayList<>();
    for (DeltaLog.DataFile file : snapshot.files()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("path", file.path());
      entry.put("rows", file.numRecords());
      entry.put("bytes", file.size());
      if (file.minValues() != null) {
        entry.put("split", file.minValues().path(ShardSchema.SPLIT).asText());
        entry.put("unit", file.minValues().path(ShardSchema.UNIT).asInt());
      }
      files.add(entry);
    }
    files.sort(
        java.util.Comparator.<Map<String, Object>, String>comparing(
                f -> String.valueOf(f.get("split")))
            .thenComparing(f -> (Integer) f.getOrDefault("unit", 0)));
    return files;
  }

  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write JSON", e);
    }
  }

  /** Writes a temporary file next to {@code path}, then renames it over {@code path}. */
  static void writeAtomically(Configuration conf, String path, String content) {
    byte[] bytes = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path target = new Path(path);
    String name = "." + target.getName() + "." + UUID.randomUUID();
    try {
      FileSystem fs = target.getFileSystem(conf);
      if (fs instanceof org.apache.hadoop.fs.LocalFileSystem localFs) {
        // Plain files (no Hadoop .crc side files); a rename within a directory is atomic.
        java.nio.file.Path local = java.nio.file.Path.of(localFs.pathToFile(target).getPath());
        java.nio.file.Path temp = local.resolveSibling(name);
        java.nio.file.Files.write(temp, bytes);
        java.nio.file.Files.move(
            temp,
            local,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return;
      }
      Path temp = new Path(target.getParent(), name);
      try (OutputStream out = fs.create(temp, false)) {
        out.write(bytes);
      }
      org.apache.hadoop.fs.FileContext.getFileContext(target.toUri(), conf)
          .rename(temp, target, org.apache.hadoop.fs.Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path, e);
    }
  }
}
