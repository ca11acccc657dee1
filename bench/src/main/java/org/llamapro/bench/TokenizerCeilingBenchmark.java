package org.llamapro.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.llamapro.data.DocumentColumns;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.data.tokenize.LlamaTokenizer;

/**
 * {@code bench/run tokenizer-ceiling DOCUMENTS [THREADS]}: the raw tokenizer's ceiling on a
 * documents table: ids-only encode (with the stage's long-document splitting) of every text held in
 * memory, on all cores, plain Java threads, no Spark in the timed part. Prints a line {@code
 * ceiling_result tokens=N seconds=S} that {@link TokenizePackBenchmark} reads when it runs this in
 * a child JVM.
 */
final class TokenizerCeilingBenchmark {
  private static final String RESULT = "ceiling_result";

  private TokenizerCeilingBenchmark() {}

  static void run(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: bench/run tokenizer-ceiling DOCUMENTS [THREADS]");
    }
    int threads =
        args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    SparkSession spark = SparkSessions.getOrCreate("bench tokenizer-ceiling");
    List<String> texts =
        spark
            .read()
            .parquet(args[0])
            .select(DocumentColumns.TEXT)
            .as(Encoders.STRING())
            .collectAsList();
    spark.stop();
    try (LlamaTokenizer tokenizer = LlamaTokenizer.bundled()) {
      encodeAll(tokenizer, texts.subList(0, Math.min(200, texts.size())), threads); // warm-up
      long t0 = System.nanoTime();
      long tokens = encodeAll(tokenizer, texts, threads);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT, "%s tokens=%d seconds=%.3f threads=%d%n", RESULT, tokens, seconds, threads);
    }
  }

  /** Runs the ceiling in a fresh JVM (the stage's JVM never holds the corpus as Strings). */
  static double[] inChildJvm(String documents) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BenchMain.class.getName());
    command.add("tokenizer-ceiling");
    command.add(documents);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    double[] result = null;
    List<String> output = new ArrayList<>();
    try (var lines = process.inputReader().lines()) {
      for (String line : (Iterable<String>) lines::iterator) {
        output.add(line);
        if (line.startsWith(RESULT + " ")) {
          String[] fields = line.split(" ");
          result =
              new double[] {
                Long.parseLong(fields[1].substring("tokens=".length())),
                Double.parseDouble(fields[2].substring("seconds=".length()))
              };
        }
      }
    }
    int code = process.waitFor();
    if (code != 0 || result == null) {
      throw new IllegalStateException(
          "tokenizer-ceiling child JVM failed (exit "
              + code
              + "); last output:\n"
              + String.join("\n", output.subList(Math.max(0, output.size() - 20), output.size())));
    }
    return result;
  }

  static long encodeAll(LlamaTokenizer tokenizer, List<String> texts, int threads)
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
