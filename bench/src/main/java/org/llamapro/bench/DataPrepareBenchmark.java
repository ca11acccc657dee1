package org.llamapro.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.llamapro.config.Settings;
import org.llamapro.data.dedupe.DedupeReport;
import org.llamapro.data.prepare.PreparePipeline;
import org.llamapro.data.prepare.PrepareSummary;
import org.llamapro.data.prepare.StageEntry;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.data.stage.Tables;

/**
 * {@code bench/run data-prepare [--size-mb 200] [--out DIR]}: generates a corpus in the four
 * sources' formats (Stack Parquet, Proof-Pile-2 jsonl.zst) with planted exact and near duplicates,
 * runs {@code data prepare} on it, and prints docs/s and MB/s per stage and near-duplicate recall
 * and precision against the planted truth.
 */
public final class DataPrepareBenchmark {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final String[] SOURCES = {"stack", "algebraic-stack", "open-web-math", "arxiv"};
  private static final int VOCABULARY = 50_000;
  private static final double NEAR_FRACTION = 0.05;
  private static final double EXACT_FRACTION = 0.01;

  /** One planted copy: its id, the original's id, and whether it is exact or a light edit. */
  private record Planted(String copy, String original, boolean near) {}

  private final String[] vocabulary = new String[VOCABULARY];

  private DataPrepareBenchmark() {
    SplittableRandom random = new SplittableRandom(1);
    String letters = "abcdefghijklmnopqrstuvwxyz";
    for (int i = 0; i < VOCABULARY; i++) {
      StringBuilder word = new StringBuilder();
      int length = 3 + random.nextInt(7);
      for (int c = 0; c < length; c++) {
        word.append(letters.charAt(random.nextInt(26)));
      }
      vocabulary[i] = word.toString();
    }
  }

  public static void run(String[] args) throws Exception {
    long sizeMb = 200;
    Path out = Path.of("bench/out/data-prepare");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size-mb" -> sizeMb = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "Unknown argument: " + args[i] + " (use --size-mb N, --out DIR)");
      }
    }
    new DataPrepareBenchmark().execute(sizeMb << 20, out.toAbsolutePath());
  }

  private void execute(long targetBytes, Path out) throws Exception {
    deleteRecursively(out);
    SparkSession spark = SparkSessions.getOrCreate("bench data-prepare");
    long start = System.nanoTime();
    List<Planted> planted = new ArrayList<>();
    Map<String, Long> generated = generate(spark, out.resolve("input"), targetBytes, planted);
    System.out.printf(
        Locale.ROOT,
        "generated %s in %.1f s; %d planted copies (exact and edited)%n",
        generated,
        (System.nanoTime() - start) / 1e9,
        planted.size());

    Map<String, String> settings = new HashMap<>();
    for (String source : SOURCES) {
      settings.put("ingest.input." + source, out.resolve("input/" + source).toString());
    }
    settings.put("prepare.output", out.resolve("prepare").toString());
    settings.put(
        "decontam.eval-sets",
        "humaneval="
            + Path.of("pipeline-data/src/test/resources/evalsets/humaneval.jsonl")
                .toAbsolutePath());
    PrepareSummary summary =
        PreparePipeline.builder().setSpark(spark).setSettings(Settings.of(settings)).build().run();
    report(summary);
    quality(spark, out.resolve("prepare"), planted);
  }

  private static void report(PrepareSummary summary) {
    PrepareSummary.Stages stages = summary.stages();
    long documents = stages.ingest().report().documents();
    long bytes = stages.ingest().report().bytes();
    DedupeReport dedupe = stages.dedupe().report();
    long afterDedupe = documents - dedupe.removed();
    System.out.printf(
        Locale.ROOT,
        "%-9s %10s %10s %9s %10s %8s%n",
        "stage",
        "docs in",
        "MB in",
        "seconds",
        "docs/s",
        "MB/s");
    Map<String, StageEntry<?>> entries = new LinkedHashMap<>();
    entries.put("ingest", stages.ingest());
    entries.put("dedupe", stages.dedupe());
    entries.put("decontam", stages.decontam());
    entries.put("clean", stages.clean());
    for (Map.Entry<String, StageEntry<?>> entry : entries.entrySet()) {
      double seconds = entry.getValue().seconds();
      long docsIn =
          entry.getKey().equals("ingest") || entry.getKey().equals("dedupe")
              ? documents
              : afterDedupe;
      double mbIn = bytes / 1e6 * docsIn / Math.max(1, documents);
      System.out.printf(
          Locale.ROOT,
          "%-9s %10d %10.1f %9.1f %10.0f %8.2f%n",
          entry.getKey(),
          docsIn,
          mbIn,
          seconds,
          docsIn / seconds,
          mbIn / seconds);
    }
    System.out.printf(
        Locale.ROOT,
        "total     %.1f s; exact removed %s, near removed %s, candidate edges %s, verified %s, cc rounds %s%n",
        summary.seconds(),
        dedupe.exactRemoved(),
        dedupe.nearRemoved(),
        dedupe.nearCandidateEdges(),
        dedupe.nearVerifiedEdges(),
        dedupe.nearCcRounds());
  }

  /**
   * Truth clusters are an original with its planted copies. A near removal is correct when the
   * removed and the kept document are in the same cluster. Recall: correct near removals over
   * planted near copies (a cluster of an original and m edited copies should lose m documents to
   * near dedupe, whichever it keeps). Precision: correct near removals over all near removals.
   */
  private static void quality(SparkSession spark, Path prepare, List<Planted> planted) {
    Map<String, String> clusterOf = new HashMap<>();
    long nearCopies = 0;
    for (Planted copy : planted) {
      clusterOf.put(copy.copy(), copy.original());
      clusterOf.put(copy.original(), copy.original());
      nearCopies += copy.near() ? 1 : 0;
    }
    Tables tables = new Tables(spark);
    List<Row> near =
        tables
            .read(prepare.resolve("dedupe/audit").toString())
            .filter("reason = 'near'")
            .select("id", "duplicate_of")
            .collectAsList();
    long correct = 0;
    for (Row row : near) {
      String cluster = clusterOf.get(row.getString(0));
      if (cluster != null && cluster.equals(clusterOf.get(row.getString(1)))) {
        correct++;
      }
    }
    double recall = nearCopies == 0 ? 1 : (double) correct / nearCopies;
    double precision = near.isEmpty() ? 1 : (double) correct / near.size();
    System.out.printf(
        Locale.ROOT,
        "near-duplicates: planted %d edited copies, removed %d as near, %d correct; recall %.4f,"
            + " precision %.4f%n",
        nearCopies,
        near.size(),
        correct,
        recall,
        precision);
  }

  private Map<String, Long> generate(
      SparkSession spark, Path input, long targetBytes, List<Planted> planted) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    double[] share = {0.3, 0.2, 0.25, 0.25};
    Map<String, Long> written = new LinkedHashMap<>();
    List<String[]> originals = new ArrayList<>(); // (id, text) of earlier documents, a sample
    for (int s = 0; s < SOURCES.length; s++) {
      String source = SOURCES[s];
      long budget = (long) (targetBytes * share[s]);
      long bytes = 0;
      int fileIndex = 0;
      while (bytes < budget) {
        String relative =
            source.equals("stack")
                ? String.format(Locale.ROOT, "data/python/train-%05d.parquet", fileIndex)
                : String.format(Locale.ROOT, "train/part-%05d.jsonl.zst", fileIndex);
        List<String> texts = new ArrayList<>();
        long fileBytes = 0;
        while (fileBytes < 32L << 20 && bytes + fileBytes < budget) {
          long position = source.equals("stack") ? texts.size() : texts.size() + 1;
          String id = source + "/" + relative + "#" + position;
          String text;
          double roll = random.nextDouble();
          if (!originals.isEmpty() && roll < NEAR_FRACTION) {
            String[] original = originals.get(random.nextInt(originals.size()));
            text = lightEdit(original[1], random);
            planted.add(new Planted(id, original[0], true));
          } else if (!originals.isEmpty() && roll < NEAR_FRACTION + EXACT_FRACTION) {
            String[] original = originals.get(random.nextInt(originals.size()));
            text = original[1];
            planted.add(new Planted(id, original[0], false));
          } else {
            text = document(random, source.equals("arxiv") ? 120 : 40);
            if (originals.size() < 20_000 && random.nextInt(4) == 0) {
              originals.add(new String[] {id, text});
            }
          }
          texts.add(text);
          fileBytes += text.length();
        }
        if (source.equals("stack")) {
          writeStack(spark, input.resolve(source).resolve(relative), texts);
        } else {
          writeJsonlZst(input.resolve(source).resolve(relative), texts);
        }
        bytes += fileBytes;
        fileIndex++;
      }
      written.put(source + " MB", bytes >> 20);
    }
    return written;
  }

  private String document(SplittableRandom random, int meanLines) {
    int lines = meanLines / 2 + random.nextInt(meanLines);
    StringBuilder text = new StringBuilder();
    for (int line = 0; line < lines; line++) {
      text.append(line(random)).append('\n');
    }
    return text.toString();
  }

  private String line(SplittableRandom random) {
    int words = 6 + random.nextInt(9);
    StringBuilder line = new StringBuilder();
    for (int w = 0; w < words; w++) {
      if (w > 0) {
        line.append(' ');
      }
      // Zipf-like: a few words are common, most are rare.
      double u = random.nextDouble();
      line.append(vocabulary[(int) (VOCABULARY * u * u * u)]);
    }
    return line.toString();
  }

  /** Replaces 1-5% of the lines (at least one). */
  private String lightEdit(String text, SplittableRandom random) {
    String[] lines = text.split("\n");
    int changes = Math.max(1, (int) Math.round(lines.length * (0.01 + 0.04 * random.nextDouble())));
    for (int i = 0; i < changes; i++) {
      lines[random.nextInt(lines.length)] = line(random);
    }
    return String.join("\n", lines) + "\n";
  }

  private static void writeJsonlZst(Path file, List<String> texts) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out =
        new BufferedOutputStream(new ZstdOutputStream(Files.newOutputStream(file)), 1 << 16)) {
      for (int i = 0; i < texts.size(); i++) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("text", texts.get(i));
        record.put("meta", Map.of("index", i));
        out.write(JSON.writeValueAsString(record).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      }
    }
  }

  private static void writeStack(SparkSession spark, Path file, List<String> texts)
      throws IOException {
    StructType schema =
        new StructType()
            .add("hexsha", DataTypes.StringType)
            .add("max_stars_repo_path", DataTypes.StringType)
            .add("max_stars_count", DataTypes.LongType)
            .add("max_stars_repo_licenses", DataTypes.createArrayType(DataTypes.StringType))
            .add("content", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    String[] licenses = {"MIT", "Apache-2.0", "GPL-3.0-only", "BSD-3-Clause"};
    for (int i = 0; i < texts.size(); i++) {
      rows.add(
          RowFactory.create(
              Integer.toHexString(i),
              "repo/file" + i + ".py",
              (long) (i % 97),
              new String[] {licenses[i % 4]},
              texts.get(i)));
    }
    Path staging = file.resolveSibling("." + file.getFileName() + ".staging");
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(staging.toString());
    try (Stream<Path> parts = Files.list(staging)) {
      Path part =
          parts
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow();
      Files.createDirectories(file.getParent());
      Files.move(part, file);
    }
    deleteRecursively(staging);
  }

  private static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
