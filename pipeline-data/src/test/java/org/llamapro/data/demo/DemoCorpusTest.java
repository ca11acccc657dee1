package org.llamapro.data.demo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.llamapro.data.spark.SparkSessions;

/**
 * Reads the committed demo corpus ({@code demo/corpus/}) with plain Spark and zstd-jni, the way the
 * pipeline will: formats, schemas, encodings, size budget, provenance and the planted duplicates.
 */
class DemoCorpusTest {
  private static final long BUDGET_BYTES = 5L * 1024 * 1024;
  private static final String STACK = "stack/data/python/train-00000-of-00001.parquet";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path corpus;
  private static SparkSession spark;
  private static JsonNode manifest;

  @BeforeAll
  static void setUp() throws IOException {
    corpus = findCorpus();
    manifest = JSON.readTree(corpus.resolve("manifest.json").toFile());
    spark = SparkSessions.smallLocal("DemoCorpusTest");
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void stackFileHasTheStackColumnsAndConsistentValues() throws Exception {
    var frame = spark.read().parquet(corpus.resolve(STACK).toString());
    Map<String, org.apache.spark.sql.types.DataType> expected = new java.util.LinkedHashMap<>();
    expected.put("content", DataTypes.StringType);
    expected.put("hexsha", DataTypes.StringType);
    expected.put("size", DataTypes.LongType);
    expected.put("ext", DataTypes.StringType);
    expected.put("lang", DataTypes.StringType);
    expected.put("max_stars_repo_path", DataTypes.StringType);
    expected.put("max_stars_repo_name", DataTypes.StringType);
    expected.put("max_stars_count", DataTypes.LongType);
    expected.put("max_stars_repo_licenses", DataTypes.createArrayType(DataTypes.StringType, true));
    expected.put("avg_line_length", DataTypes.DoubleType);
    expected.put("max_line_length", DataTypes.LongType);
    expected.put("alphanum_fraction", DataTypes.DoubleType);
    Map<String, org.apache.spark.sql.types.DataType> actual = new java.util.LinkedHashMap<>();
    for (StructField field : frame.schema().fields()) {
      actual.put(field.name(), field.dataType());
    }
    assertEquals(expected, actual);

    List<Row> rows = frame.collectAsList();
    assertEquals(documentsInManifest(STACK), rows.size());
    assertTrue(rows.size() >= 250, "stack rows: " + rows.size());
    Set<String> repoPaths = new TreeSet<>();
    for (Row row : rows) {
      String content = row.getAs("content");
      String where = row.getAs("max_stars_repo_name") + ":" + row.getAs("max_stars_repo_path");
      assertFalse(content.isBlank(), where);
      assertEquals(gitBlobSha1(content), row.getAs("hexsha"), where);
      assertEquals((long) content.getBytes(UTF_8).length, (long) row.<Long>getAs("size"), where);
      assertEquals("py", row.getAs("ext"), where);
      assertEquals("Python", row.getAs("lang"), where);
      assertTrue(row.<Long>getAs("max_line_length") >= row.<Double>getAs("avg_line_length"), where);
      double alphanumeric = row.getAs("alphanum_fraction");
      assertTrue(alphanumeric > 0.3 && alphanumeric < 1.0, where + ": " + alphanumeric);
      assertTrue(repoPaths.add(where), "repository and path repeat: " + where);
    }
  }

  @Test
  void everyJsonlFileIsValidUtf8WithTextAndMetaPerLine() throws Exception {
    int files = 0;
    for (JsonNode entry : manifest.get("files")) {
      String path = entry.get("path").asText();
      if (!path.endsWith(".jsonl.zst")) {
        continue;
      }
      files++;
      List<JsonNode> lines = readJsonl(path);
      assertEquals(entry.get("documents").asInt(), lines.size(), path);
      for (int i = 0; i < lines.size(); i++) {
        JsonNode line = lines.get(i);
        String where = path + " line " + i;
        assertTrue(line.get("text").isTextual(), where);
        assertFalse(line.get("text").asText().isBlank(), where);
        assertTrue(line.get("meta").isObject(), where);
        assertTrue(line.get("meta").get("license").isTextual(), where + ": no licence in meta");
        assertTrue(line.get("meta").get("package").asText().matches("(debian|npm):.+"), where);
      }
    }
    // algebraic-stack, open-web-math, arxiv and general-english, each with train and validation.
    assertTrue(files >= 8, "jsonl.zst files: " + files);
    for (String subset : List.of("algebraic-stack", "open-web-math", "arxiv")) {
      assertTrue(
          Files.isDirectory(corpus.resolve("proof-pile-2/" + subset + "/train")),
          subset + " train");
      assertTrue(
          Files.isDirectory(corpus.resolve("proof-pile-2/" + subset + "/validation")),
          subset + " validation");
    }
  }

  @Test
  void manifestListsEveryDataFileWithItsHashAndTheCorpusFitsTheBudget() throws Exception {
    Set<String> listed = new TreeSet<>();
    for (JsonNode entry : manifest.get("files")) {
      String path = entry.get("path").asText();
      listed.add(path);
      byte[] bytes = Files.readAllBytes(corpus.resolve(path));
      assertEquals(entry.get("bytes").asLong(), bytes.length, path);
      assertEquals(
          entry.get("sha256").asText(), sha256(bytes), path + " changed since it was built");
    }
    Set<String> onDisk = new TreeSet<>();
    long total = 0;
    try (Stream<Path> walk = Files.walk(corpus)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        total += Files.size(file);
        String rel = corpus.relativize(file).toString();
        if (rel.endsWith(".parquet") || rel.endsWith(".jsonl.zst")) {
          onDisk.add(rel);
        }
        assertFalse(rel.endsWith(".crc") || rel.endsWith("_SUCCESS"), "build leftover: " + rel);
      }
    }
    assertEquals(listed, onDisk);
    assertTrue(total <= BUDGET_BYTES, "demo corpus is " + total + " bytes");
  }

  @Test
  void plantedDuplicatesArePresentAsRecorded() throws Exception {
    JsonNode planted = JSON.readTree(corpus.resolve("planted-duplicates.json").toFile());
    Map<String, List<String>> texts = new HashMap<>();
    int exact = 0;
    int near = 0;
    int stackExact = 0;
    boolean crossSource = false;
    for (JsonNode pair : planted.get("pairs")) {
      String original = textAt(pair.get("original"), texts);
      String duplicate = textAt(pair.get("duplicate"), texts);
      String how = pair.get("how").asText();
      switch (pair.get("kind").asText()) {
        case "exact" -> {
          exact++;
          assertEquals(original, duplicate, how);
          String from = pair.get("original").get("file").asText();
          String to = pair.get("duplicate").get("file").asText();
          stackExact += from.equals(STACK) && to.equals(STACK) ? 1 : 0;
          crossSource |= from.startsWith("proof-pile-2/") && to.equals(STACK);
        }
        case "near" -> {
          near++;
          assertNotEquals(original, duplicate, how);
          double jaccard = jaccard(original, duplicate);
          assertTrue(jaccard >= 0.8, how + ": jaccard " + jaccard);
          assertEquals(pair.get("jaccard").asDouble(), jaccard, 1e-4, how);
        }
        default -> throw new AssertionError("Unknown kind: " + pair.get("kind"));
      }
    }
    assertEquals(planted.get("exact").asInt(), exact);
    assertEquals(planted.get("near").asInt(), near);
    // About 5% of the stack's originals are copied exactly, and one file crosses subsets.
    int stackRows = documentsInManifest(STACK);
    assertTrue(stackExact >= stackRows / 25, "stack exact duplicates: " + stackExact);
    assertTrue(crossSource, "no algebraic-stack document duplicated in the stack");
    assertTrue(near >= 10, "near duplicates: " + near);
  }

  @Test
  void sourcesFileNamesEveryDataFileAndLicence() throws Exception {
    String sources = Files.readString(corpus.resolve("SOURCES.md"), UTF_8);
    for (JsonNode entry : manifest.get("files")) {
      String path = entry.get("path").asText();
      assertTrue(sources.contains(path), "SOURCES.md does not mention " + path);
    }
    try (Stream<Path> licenses = Files.list(corpus.resolve("licenses"))) {
      for (Path licence : licenses.toList()) {
        String name = "licenses/" + licence.getFileName();
        assertTrue(sources.contains(name), "SOURCES.md does not mention " + name);
      }
    }
  }

  private String textAt(JsonNode location, Map<String, List<String>> cache) throws Exception {
    String file = location.get("file").asText();
    List<String> texts = cache.get(file);
    if (texts == null) {
      texts = new ArrayList<>();
      if (file.endsWith(".parquet")) {
        for (Row row :
            spark
                .read()
                .parquet(corpus.resolve(file).toString())
                .select("content")
                .collectAsList()) {
          texts.add(row.getString(0));
        }
      } else {
        for (JsonNode line : readJsonl(file)) {
          texts.add(line.get("text").asText());
        }
      }
      cache.put(file, texts);
    }
    String text = texts.get(location.get("row").asInt());
    assertEquals(
        location.get("sha256").asText(),
        sha256(text.getBytes(UTF_8)),
        file + " row " + location.get("row"));
    return text;
  }

  private static List<JsonNode> readJsonl(String path) throws IOException {
    byte[] bytes;
    try (InputStream in = new ZstdInputStream(Files.newInputStream(corpus.resolve(path)))) {
      bytes = in.readAllBytes();
    }
    String text;
    try {
      text =
          UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("Not valid UTF-8: " + path, e);
    }
    assertTrue(text.endsWith("\n"), path + " does not end with a newline");
    List<JsonNode> lines = new ArrayList<>();
    for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  private static int documentsInManifest(String path) {
    for (JsonNode entry : manifest.get("files")) {
      if (entry.get("path").asText().equals(path)) {
        return entry.get("documents").asInt();
      }
    }
    throw new AssertionError("Not in manifest.json: " + path);
  }

  /** Word 5-gram Jaccard as planted-duplicates.json defines it (lower case; letters, digits, _). */
  static double jaccard(String a, String b) {
    Set<String> x = shingles(a);
    Set<String> y = shingles(b);
    Set<String> union = new TreeSet<>(x);
    union.addAll(y);
    long common = x.stream().filter(y::contains).count();
    return (double) common / union.size();
  }

  private static Set<String> shingles(String text) {
    List<String> words = new ArrayList<>();
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}_]+")) {
      if (!word.isEmpty()) {
        words.add(word);
      }
    }
    Set<String> shingles = new TreeSet<>();
    for (int i = 0; i + 5 <= words.size(); i++) {
      shingles.add(String.join(" ", words.subList(i, i + 5)));
    }
    return shingles;
  }

  private static String gitBlobSha1(String text) throws Exception {
    byte[] content = text.getBytes(UTF_8);
    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
    sha1.update(("blob " + content.length + "\0").getBytes(UTF_8));
    return HexFormat.of().formatHex(sha1.digest(content));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static Path findCorpus() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("demo/corpus");
      if (Files.isRegularFile(candidate.resolve("manifest.json"))) {
        return candidate;
      }
    }
    throw new AssertionError("No demo/corpus/manifest.json above " + Path.of("").toAbsolutePath());
  }
}
