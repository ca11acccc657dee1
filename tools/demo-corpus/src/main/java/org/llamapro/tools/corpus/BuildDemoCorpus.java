package org.llamapro.tools.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.llamapro.data.spark.SparkSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tools/demo-corpus/run --sources DIR --output demo/corpus}: cuts the demo corpus out of the
 * registry packages that {@code demo/build-corpus.sh} unpacked into DIR. Same packages, same bytes:
 * inputs are sorted, the seed is fixed, and the writers are deterministic.
 */
public final class BuildDemoCorpus {
  static final long SEED = 20240102L;

  /** Pairs at least this similar must be planted ones, so dedupe's findings are all known. */
  static final double AUDIT_JACCARD = 0.5;

  private static final Logger LOG = LoggerFactory.getLogger(BuildDemoCorpus.class);
  private static final List<String> DATA_DIRS = List.of("stack", "proof-pile-2", "general-english");

  private BuildDemoCorpus() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  public static void run(String[] args) throws Exception {
    Path sources = null;
    Path output = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--sources" -> sources = Path.of(args[i + 1]);
        case "--output" -> output = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
      }
    }
    if (sources == null || output == null || args.length % 2 != 0) {
      throw new IllegalArgumentException("usage: tools/demo-corpus/run --sources DIR --output DIR");
    }

    PlantedDuplicates planted = new PlantedDuplicates();
    List<CorpusFile> files = new ArrayList<>();
    AlgebraicStackSubset.Result algebraic =
        AlgebraicStackSubset.build(sources, planted, new SplittableRandom(SEED + 1));
    files.add(
        StackSubset.build(
            sources, algebraic.crossSourceOriginal(), planted, new SplittableRandom(SEED)));
    files.addAll(algebraic.files());
    files.addAll(OpenWebMathSubset.build(sources, planted, new SplittableRandom(SEED + 2)));
    files.addAll(ArxivSubset.build(sources, planted, new SplittableRandom(SEED + 3)));
    files.addAll(GeneralEnglishSubset.build(sources, planted, new SplittableRandom(SEED + 4)));
    audit(files, planted);

    for (String dir : DATA_DIRS) {
      CorpusWriters.deleteRecursively(output.resolve(dir));
    }
    SparkSession spark = SparkSessions.smallLocal("build-demo-corpus");
    try {
      for (CorpusFile file : files) {
        Path target = output.resolve(file.path());
        if (file.isParquet()) {
          CorpusWriters.writeStackParquet(spark, file, target);
        } else {
          CorpusWriters.writeJsonlZst(file, target);
        }
      }
    } finally {
      spark.stop();
    }
    CorpusWriters.writeJson(planted.toJson(files), output.resolve("planted-duplicates.json"));
    Map<String, Object> manifest = manifest(files, output);
    CorpusWriters.writeJson(manifest, output.resolve("manifest.json"));

    System.out.printf(Locale.ROOT, "%-62s %6s %10s %10s%n", "file", "docs", "text", "bytes");
    for (Object entry : (List<?>) manifest.get("files")) {
      Map<?, ?> f = (Map<?, ?>) entry;
      System.out.printf(
          Locale.ROOT,
          "%-62s %6d %10d %10d%n",
          f.get("path"),
          f.get("documents"),
          f.get("text_bytes"),
          f.get("bytes"));
    }
    System.out.printf(
        Locale.ROOT,
        "total: %d bytes on disk; planted: %d exact, %d near%n",
        manifest.get("total_bytes"),
        planted.pairs().stream().filter(p -> p.kind() == PlantedDuplicates.Kind.EXACT).count(),
        planted.pairs().stream().filter(p -> p.kind() == PlantedDuplicates.Kind.NEAR).count());
  }

  /**
   * Fails when two documents anywhere in the corpus are equal or at least {@link #AUDIT_JACCARD}
   * similar without being a planted pair: the corpus's duplicates must be exactly the recorded
   * ones.
   */
  static void audit(List<CorpusFile> files, PlantedDuplicates planted) {
    List<CorpusDoc> docs = new ArrayList<>();
    for (CorpusFile file : files) {
      docs.addAll(file.docs());
    }
    List<long[]> shingles = docs.stream().map(d -> Shingles.of(d.text())).toList();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      for (int j = i + 1; j < docs.size(); j++) {
        long[] a = shingles.get(i);
        long[] b = shingles.get(j);
        // Jaccard <= min/max of the set sizes: skip pairs that cannot reach the threshold.
        if ((double) Math.min(a.length, b.length) / Math.max(a.length, b.length) < AUDIT_JACCARD
            && !docs.get(i).text().equals(docs.get(j).text())) {
          continue;
        }
        double jaccard = org.llamapro.data.dedupe.Shingler.jaccard(a, b);
        boolean similar = jaccard >= AUDIT_JACCARD || docs.get(i).text().equals(docs.get(j).text());
        if (similar && !planted.isPlanted(docs.get(i), docs.get(j))) {
          problems.add(
              String.format(
                  Locale.ROOT,
                  "jaccard %.3f: %s ~ %s",
                  jaccard,
                  PlantedDuplicates.locate(docs.get(i), files),
                  PlantedDuplicates.locate(docs.get(j), files)));
        }
      }
    }
    for (PlantedDuplicates.Pair pair : planted.pairs()) {
      double jaccard =
          org.llamapro.data.dedupe.Shingler.jaccard(
              Shingles.of(pair.original().text()), Shingles.of(pair.duplicate().text()));
      if (pair.kind() == PlantedDuplicates.Kind.NEAR && jaccard < 0.8) {
        problems.add(
            String.format(
                Locale.ROOT, "planted near pair only %.3f similar: %s", jaccard, pair.how()));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Unplanned or weak duplicates in the demo corpus:\n" + String.join("\n", problems));
    }
    LOG.info("audit: {} documents, no unplanned duplicates", docs.size());
  }

  private static Map<String, Object> manifest(List<CorpusFile> files, Path output)
      throws IOException {
    List<Object> entries = new ArrayList<>();
    long total = 0;
    for (CorpusFile file : files) {
      Path path = output.resolve(file.path());
      long textBytes = 0;
      for (CorpusDoc doc : file.docs()) {
        textBytes += CorpusText.utf8Length(doc.text());
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("path", file.path());
      entry.put("format", file.isParquet() ? "parquet" : "jsonl.zst");
      entry.put("documents", file.docs().size());
      entry.put("text_bytes", textBytes);
      entry.put("bytes", Files.size(path));
      entry.put("sha256", sha256(path));
      entries.add(entry);
      total += Files.size(path);
    }
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("about", "The demo corpus's data files; see SOURCES.md for where each came from.");
    manifest.put("files", entries);
    manifest.put("total_bytes", total);
    return manifest;
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
