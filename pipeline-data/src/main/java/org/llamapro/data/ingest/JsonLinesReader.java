package org.llamapro.data.ingest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;
import org.llamapro.data.spark.SerializableHadoopConf;

/**
 * Reads one JSON Lines file ({@code .jsonl}, {@code .jsonl.gz}, {@code .jsonl.zst}) inside a task,
 * streaming: the file is opened through Hadoop's FileSystem (local, hdfs, s3a), decompressed on the
 * fly (zstd-jni, no native Hadoop) and read line by line. Every line becomes one row, good or bad;
 * a decompression or I/O error ends the file with one {@code corrupt-file} row.
 */
final class JsonLinesReader implements FlatMapFunction<InputFile, Row> {
  private static final long serialVersionUID = 1L;

  private final SerializableHadoopConf hadoopConf;
  private final String textField;
  private final int maxLineBytes;

  JsonLinesReader(SerializableHadoopConf hadoopConf, String textField, int maxLineBytes) {
    this.hadoopConf = requireNonNull(hadoopConf, "hadoopConf is null");
    this.textField = requireNonNull(textField, "textField is null");
    this.maxLineBytes = maxLineBytes;
  }

  @Override
  public Iterator<Row> call(InputFile file) {
    return new Rows(file);
  }

  static InputStream open(InputFile file, SerializableHadoopConf conf) throws IOException {
    Path path = new Path(file.uri());
    FileSystem fs = path.getFileSystem(conf.get());
    InputStream raw = fs.open(path);
    try {
      return switch (file.format()) {
        case JSONL -> raw;
        case JSONL_GZIP -> new GZIPInputStream(raw, 1 << 16);
        case JSONL_ZSTD -> new ZstdInputStream(raw);
        case PARQUET -> throw new IllegalStateException("Not a JSON Lines file: " + file.uri());
      };
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** Lazily yields the rows of one file, so a large file never sits in memory. */
  private final class Rows implements Iterator<Row> {
    private final InputFile file;
    private final ObjectMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    private final RecordBuilder builder = new RecordBuilder();
    private final long[] errorOffset = new long[1];
    private LineReader reader;
    private boolean done;
    private Row next;

    Rows(InputFile file) {
      this.file = file;
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener((TaskCompletionListener) context -> closeQuietly());
      }
    }

    @Override
    public boolean hasNext() {
      if (next == null && !done) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row row = next;
      next = null;
      return row;
    }

    private Row advance() {
      try {
        if (reader == null) {
          reader = new LineReader(open(file, hadoopConf), maxLineBytes);
        }
        if (!reader.next()) {
          finish();
          return null;
        }
        return parse();
      } catch (IOException | RuntimeException e) {
        // Decompression or read failure: the rest of the file is lost; say where it started.
        long lostLine = reader == null ? 1 : reader.lineNumber() + 1;
        finish();
        return RecordBuilder.bad(
            file,
            lostLine,
            QuarantineReason.CORRUPT_FILE,
            "cannot read "
                + file.format().name().toLowerCase(java.util.Locale.ROOT)
                + " file from line "
                + lostLine
                + ": "
                + e,
            null);
      }
    }

    private Row parse() {
      long lineNumber = reader.lineNumber();
      if (reader.overflowed()) {
        return RecordBuilder.bad(
            file,
            lineNumber,
            QuarantineReason.TOO_LARGE,
            "line of "
                + reader.fullLength()
                + " bytes exceeds ingest.max-document-bytes="
                + maxLineBytes,
            null);
      }
      byte[] bytes = reader.bytes();
      int length = reader.length();
      String line = builder.decode(bytes, length, errorOffset);
      if (line == null) {
        return RecordBuilder.bad(
            file,
            lineNumber,
            QuarantineReason.INVALID_UTF8,
            "invalid UTF-8 at byte " + errorOffset[0] + " of the line",
            RecordBuilder.sample(bytes, length));
      }
      if (line.isBlank()) {
        return RecordBuilder.bad(file, lineNumber, QuarantineReason.BLANK_LINE, null, null);
      }
      JsonNode node;
      try {
        node = mapper.readTree(line);
      } catch (JsonProcessingException e) {
        return RecordBuilder.bad(
            file,
            lineNumber,
            QuarantineReason.NOT_JSON,
            e.getOriginalMessage(),
            RecordBuilder.sample(line));
      }
      if (!(node instanceof ObjectNode object)) {
        return RecordBuilder.bad(
            file,
            lineNumber,
            QuarantineReason.NOT_OBJECT,
            "JSON "
                + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                + ", not an object",
            RecordBuilder.sample(line));
      }
      JsonNode text = object.remove(textField);
      if (text == null || text.isNull()) {
        return RecordBuilder.bad(
            file,
            lineNumber,
            QuarantineReason.MISSING_TEXT,
            "no '" + textField + "' field",
            RecordBuilder.sample(line));
      }
      if (!text.isTextual()) {
        return RecordBuilder.bad(
            file,
            lineNumber,
            QuarantineReason.TEXT_NOT_STRING,
            "'"
                + textField
                + "' is a "
                + text.getNodeType().name().toLowerCase(java.util.Locale.ROOT),
            RecordBuilder.sample(line));
      }
      String meta;
      try {
        meta = mapper.writeValueAsString(object);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
      return builder.document(file, lineNumber, text.textValue(), meta);
    }

    private void finish() {
      done = true;
      closeQuietly();
    }

    private void closeQuietly() {
      if (reader != null) {
        try {
          reader.close();
        } catch (IOException ignored) {
          // Closing a stream we only read; nothing is lost.
        }
        reader = null;
      }
    }
  }
}
