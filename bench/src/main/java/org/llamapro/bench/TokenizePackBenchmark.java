package org.llamapro.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.pack.PackCounts;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.pack.PackResult;
import org.llamapro.data.pack.TokenizePackStage;
import org.llamapro.data.shards.ShardReader;
import org.llamapro.data.shards.ShardTable;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.data.tokenize.LlamaTokenizer;

/**
 * {@code bench/run tokenize-pack [MB] [WORKDIR]}: tokenizes and packs a synthetic corpus of MB
 * megabytes (default 200) with the Spark stage, and measures in the same run the raw tokenizer
 * ceiling (ids-only encode of the same texts on all cores, no Spark) and the Encoding path.
 */
final class TokenizePackBenchmark {
  private TokenizePackBenchmark() {}

  static void run(String[] args) throws Exception {
    long megabytes = args.length > 0 ? Long.parseLong(args[0]) : 200;
    Path work = Path.of(args.length > 1 ? args[1] : "bench/out/tokenize-pack").toAbsolutePath();
    int meanBytes = 6000;
    long documents = megabytes * 1_000_000 / meanBytes;
    int cores = Runtime.getRuntime().availableProcessors();
    SparkSession spark = SparkSessions.getOrCreate("bench tokenize-pack");
    // Many files, as a Spark-written clean/ table has: the map side balances over the cores.
    String corpus = work.resolve("documents-" + megabytes + "mb-v2").toString();
    if (!Files.isDirectory(Path.of(corpus))) {
      System.err.println("Generating " + documents + " documents into " + corpus);
      SyntheticCorpus generator = new SyntheticCorpus();
      spark
          .range(0, documents, 1, Math.max(16, cores * 8))
          .mapPartitions(
              (MapPartitionsFunction<Long, Row>)
                  ids -> {
                    List<Row> rows = new ArrayList<>();
                    while (ids.hasNext()) {
                      long id = ids.next();
                      String text = generator.text(id, meanBytes);
                      rows.add(
                          RowFactory.create(
                              "bench/" + id,
                              generator.source(id),
                              "synthetic",
                              text,
                              "{}",
                              Long.toHexString(text.hashCode())));
                    }
                    return rows.iterator();
                  },
              ExpressionEncoder.apply(DocumentColumns.SCHEMA))
          .write()
          .parquet(corpus);
    }
    Dataset<Row> table = spark.read().parquet(corpus);
    List<String> texts = table.select(DocumentColumns.TEXT).as(Encoders.STRING()).collectAsList();
    long bytes = texts.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
    System.out.printf(
        "corpus: %,d documents, %,.1f MB, %d cores%n", texts.size(), bytes / 1e6, cores);

    // Ceiling: ids-only encode (with the same long-document splitting) on all cores, no Spark.
    long[] ceilingTokens = new long[1];
    double ceilingSeconds;
    try (LlamaTokenizer tokenizer = LlamaTokenizer.bundled()) {
      encodeAll(tokenizer, texts.subList(0, Math.min(200, texts.size())), cores); // warm-up
      long t0 = System.nanoTime();
      ceilingTokens[0] = encodeAll(tokenizer, texts, cores);
      ceilingSeconds = (System.nanoTime() - t0) / 1e9;

      // The Encoding path (ids, types, masks, offsets, tokens) on one core, over 10 MB.
      List<String> sample = new ArrayList<>();
      long sampleBytes = 0;
      for (String text : texts) {
        if (sampleBytes > 10_000_000) {
          break;
        }
        sample.add(text);
        sampleBytes += text.getBytes(StandardCharsets.UTF_8).length;
      }
      long t1 = System.nanoTime();
      for (String text : sample) {
        tokenizer.encode(text, true);
      }
      double encodingSeconds = (System.nanoTime() - t1) / 1e9;
      long t2 = System.nanoTime();
      for (String text : sample) {
        tokenizer.encodeIds(text, true);
      }
      double idsSeconds = (System.nanoTime() - t2) / 1e9;
      System.out.printf(
          "one core, %,.1f MB: Encoding API %.2f MB/s, ids-only %.2f MB/s (%.2fx)%n",
          sampleBytes / 1e6,
          sampleBytes / 1e6 / encodingSeconds,
          sampleBytes / 1e6 / idsSeconds,
          encodingSeconds / idsSeconds);
    }
    System.out.printf(
        "ceiling (ids-only, %d threads): %,d tokens in %.1f s = %,.0f tokens/s, %.2f MB/s, %.2f bytes/token%n",
        cores,
        ceilingTokens[0],
        ceilingSeconds,
        ceilingTokens[0] / ceilingSeconds,
        bytes / 1e6 / ceilingSeconds,
        (double) bytes / ceilingTokens[0]);

    // The stage: pre-pass, tokenize + mix, shuffle, pack, Delta commit, manifest. The ceiling is
    // measured again after it: on a shared machine the load drifts, and the mean of the two
    // brackets the stage.
    PackOptions options = PackOptions.builder().optHoldoutFraction(0.005).build();
    String output = work.resolve("output").toString();
    long t3 = System.nanoTime();
    PackResult result = TokenizePackStage.run(spark, table, options, output);
    double stageSeconds = (System.nanoTime() - t3) / 1e9;
    long tokens = 0;
    for (String split : List.of(PackCounts.TRAIN, PackCounts.VALIDATION)) {
      tokens += result.counts().total(split).tokensBeforeMix();
    }
    // Token counts include BOS and EOS per document; the ceiling counts BOS only.
    long stageTokens = tokens - documents;
    double ceilingAfter;
    try (LlamaTokenizer tokenizer = LlamaTokenizer.bundled()) {
      long t5 = System.nanoTime();
      encodeAll(tokenizer, texts, cores);
      ceilingAfter = (System.nanoTime() - t5) / 1e9;
    }
    texts = null;
    System.out.printf(
        "ceiling again after the stage: %.1f s = %,.0f tokens/s%n",
        ceilingAfter, ceilingTokens[0] / ceilingAfter);
    ceilingSeconds = (ceilingSeconds + ceilingAfter) / 2;
    System.out.printf(
        "stage (Spark local[%d], seq-len %d): %,d tokens in %.1f s = %,.0f tokens/s, %.2f MB/s = %.1f%% of the mean ceiling%n",
        cores,
        options.seqLen(),
        stageTokens,
        stageSeconds,
        stageTokens / stageSeconds,
        bytes / 1e6 / stageSeconds,
        100.0 * (stageTokens / stageSeconds) / (ceilingTokens[0] / ceilingSeconds));

    ShardTable shards = ShardTable.open(result.shardsPath());
    long fileBytes = 0;
    for (var file : shards.files(null)) {
      fileBytes += Files.size(Path.of(java.net.URI.create(file.path()).getPath()));
    }
    long rowTokens =
        result.counts().total(PackCounts.TRAIN).tokensInRows()
            + result.counts().total(PackCounts.VALIDATION).tokensInRows();
    System.out.printf(
        "shards: %,d rows, %,.1f MB on disk = %.2f bytes/token (array<int>, zstd)%n",
        shards.rowCount(null), fileBytes / 1e6, (double) fileBytes / rowTokens);
    long t4 = System.nanoTime();
    long read = 0;
    try (ShardReader rows =
        shards.rows(PackCounts.TRAIN, 1, 0, 1, org.llamapro.data.shards.ShardCursor.START)) {
      while (rows.hasNext()) {
        read += rows.next().inputIds().length;
      }
    }
    double readSeconds = (System.nanoTime() - t4) / 1e9;
    System.out.printf("reader (seeded order, one thread): %,.0f tokens/s%n", read / readSeconds);
  }

  private static long encodeAll(LlamaTokenizer tokenizer, List<String> texts, int threads)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicInteger next = new AtomicInteger();
      List<Future<Long>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  long tokens = 0;
                  for (int i = next.getAndIncrement();
                      i < texts.size();
                      i = next.getAndIncrement()) {
                    tokens += tokenizer.encodeDocument(texts.get(i), true).length;
                  }
                  return tokens;
                }));
      }
      long total = 0;
      for (Future<Long> future : futures) {
        total += future.get();
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }
}
