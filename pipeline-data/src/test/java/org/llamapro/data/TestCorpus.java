package org.llamapro.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Builds test inputs in the real formats: JSON Lines (plain, gzip, zstd) and Stack Parquet. */
public final class TestCorpus {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final String[] SYLLABLES = {
    "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "da", "fe", "gu", "hi", "jo", "bu"
  };

  /** The Stack's Parquet columns, content as bytes to allow bad UTF-8. */
  public static final StructType STACK_SCHEMA =
      new StructType()
          .add("hexsha", DataTypes.StringType)
          .add("size", DataTypes.LongType)
          .add("ext", DataTypes.StringType)
          .add("lang", DataTypes.StringType)
          .add("max_stars_repo_path", DataTypes.StringType)
          .add("max_stars_repo_name", DataTypes.StringType)
          .add("max_stars_count", DataTypes.LongType)
          .add("max_stars_repo_licenses", DataTypes.createArrayType(DataTypes.StringType))
          .add("avg_line_length", DataTypes.DoubleType)
          .add("max_line_length", DataTypes.LongType)
          .add("alphanum_fraction", DataTypes.DoubleType)
          .add("content", DataTypes.BinaryType);

  private TestCorpus() {}

  /** A pseudo-text of {@code lines} lines of 10 words from a 4096-word vocabulary. */
  public static String document(long seed, int lines) {
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder();
    for (int line = 0; line < lines; line++) {
      text.append(line(random)).append('\n');
    }
    return text.toString();
  }

  /** Replaces {@code changed} of the lines (chosen by seed) with new random lines. */
  public static String edit(String text, int changed, long seed) {
    Random random = new Random(seed);
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    int content = lines.size() - 1; // last element is the empty string after the final \n
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < content; i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, random);
    for (int i = 0; i < changed; i++) {
      lines.set(order.get(i), line(random));
    }
    return String.join("\n", lines);
  }

  private static String line(Random random) {
    StringBuilder line = new StringBuilder();
    for (int w = 0; w < 10; w++) {
      if (w > 0) {
        line.append(' ');
      }
      line.append(SYLLABLES[random.nextInt(16)])
          .append(SYLLABLES[random.nextInt(16)])
          .append(SYLLABLES[random.nextInt(16)]);
    }
    return line.toString();
  }

  public static String json(Map<String, ?> record) {
    try {
      return JSON.writeValueAsString(record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes lines (each a UTF-8 string) compressed by the file's extension. */
  public static void writeLines(Path file, List<String> lines) {
    List<byte[]> raw = new ArrayList<>();
    for (String line : lines) {
      raw.add(line.getBytes(StandardCharsets.UTF_8));
    }
    writeRawLines(file, raw);
  }

  /** Writes byte lines (possibly invalid UTF-8), compressed by the file's extension. */
  public static void writeRawLines(Path file, List<byte[]> lines) {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    for (byte[] line : lines) {
      plain.writeBytes(line);
      plain.write('\n');
    }
    write(file, compress(file.getFileName().toString(), plain.toByteArray()));
  }

  public static byte[] compress(String name, byte[] bytes) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream stream =
          name.endsWith(".zst")
              ? new ZstdOutputStream(out)
              : name.endsWith(".gz") ? new GZIPOutputStream(out) : out) {
        stream.write(bytes);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One row of The Stack; content null means a missing text. */
  public static Row stackRow(String path, long stars, List<String> licenses, byte[] content) {
    return RowFactory.create(
        Integer.toHexString(path.hashCode()),
        content == null ? 0L : (long) content.length,
        "py",
        "Python",
        path,
        "org/repo-" + Math.abs(path.hashCode() % 100),
        stars,
        licenses.toArray(new String[0]),
        31.5,
        79L,
        0.7,
        content);
  }

  public static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes rows as one Parquet file with Spark (content cast to string, bytes kept as they are).
   */
  public static void writeStackParquet(SparkSession spark, Path file, List<Row> rows) {
    Path staging = file.resolveSibling("." + file.getFileName() + ".staging");
    spark
        .createDataFrame(rows, STACK_SCHEMA)
        .withColumn("content", org.apache.spark.sql.functions.col("content").cast("string"))
        .coalesce(1)
        .write()
        .parquet(staging.toString());
    try (Stream<Path> parts = Files.list(staging)) {
      Path part =
          parts
              .filter(p -> p.getFileName().toString().endsWith(".parquet"))
              .findFirst()
              .orElseThrow();
      Files.createDirectories(file.getParent());
      Files.move(part, file);
      try (Stream<Path> rest = Files.walk(staging)) {
        rest.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
