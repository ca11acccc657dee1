package org.llamapro.data.decontam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;
import org.llamapro.config.ConfigException;

/**
 * Reads evaluation sets on the driver (they are small): a file or a folder of Hugging Face JSON
 * Lines ({@code .jsonl}, {@code .json}, {@code .gz}, {@code .zst}) or Parquet. A field holding a
 * list (MBPP's {@code test_list}) contributes its elements joined by newlines.
 */
final class EvalSetLoader {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private EvalSetLoader() {}

  static List<NgramIndex.Item> load(SparkSession spark, EvalSetSpec spec) {
    List<NgramIndex.Item> items = new ArrayList<>();
    for (String file : files(spark, spec)) {
      String lower = file.toLowerCase(Locale.ROOT);
      List<String> records =
          lower.endsWith(".parquet")
              ? spark.read().parquet(file).toJSON().collectAsList()
              : lines(spark, file);
      for (String record : records) {
        if (record.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(record);
        } catch (IOException e) {
          throw new ConfigException(
              "Evaluation set '"
                  + spec.name()
                  + "': "
                  + file
                  + " holds a line that is not JSON: "
                  + e.getMessage(),
              e);
        }
        List<String> texts = new ArrayList<>();
        for (String field : spec.fields()) {
          String text = text(node.get(field));
          if (text != null) {
            texts.add(text);
          }
        }
        if (texts.isEmpty()) {
          throw new ConfigException(
              "Evaluation set '"
                  + spec.name()
                  + "': item "
                  + (items.size() + 1)
                  + " in "
                  + file
                  + " has none of the fields "
                  + spec.fields()
                  + " (set decontam.fields."
                  + spec.name()
                  + ")");
        }
        JsonNode id = spec.idField() == null ? null : node.get(spec.idField());
        String itemId =
            id == null || id.isNull()
                ? "row " + items.size()
                : (id.isTextual() ? id.textValue() : id.toString());
        items.add(new NgramIndex.Item(spec.name(), itemId, texts));
      }
    }
    if (items.isEmpty()) {
      throw new ConfigException(
          "Evaluation set '" + spec.name() + "' at " + spec.path() + " has no items");
    }
    return items;
  }

  private static String text(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isArray()) {
      List<String> parts = new ArrayList<>();
      value.forEach(
          element -> parts.add(element.isTextual() ? element.textValue() : element.toString()));
      return String.join("\n", parts);
    }
    return value.isTextual() ? value.textValue() : value.toString();
  }

  private static List<String> files(SparkSession spark, EvalSetSpec spec) {
    try {
      Path path = new Path(spec.path());
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      FileStatus status;
      try {
        status = fs.getFileStatus(path);
      } catch (FileNotFoundException e) {
        throw new ConfigException(
            "Evaluation set '" + spec.name() + "' not found: " + spec.path(), e);
      }
      List<String> files = new ArrayList<>();
      if (status.isFile()) {
        files.add(status.getPath().toString());
      } else {
        RemoteIterator<LocatedFileStatus> iterator = fs.listFiles(path, true);
        while (iterator.hasNext()) {
          Path file = iterator.next().getPath();
          String name = file.getName().toLowerCase(Locale.ROOT);
          if (!name.startsWith(".")
              && !name.startsWith("_")
              && (name.endsWith(".parquet") || name.contains(".json"))) {
            files.add(file.toString());
          }
        }
        files.sort(null);
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list evaluation set " + spec.path(), e);
    }
  }

  private static List<String> lines(SparkSession spark, String file) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      InputStream in = fs.open(path);
      String lower = file.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".gz")) {
        in = new GZIPInputStream(in);
      } else if (lower.endsWith(".zst")) {
        in = new ZstdInputStream(in);
      }
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        return reader.lines().toList();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read evaluation set file " + file, e);
    }
  }
}
