package org.llamapro.train.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.llamapro.io.InvalidFileException;
import org.llamapro.io.JsonFiles;

/**
 * One typed record per line of JSON ({@code metrics.jsonl}, {@code events.jsonl}, the line a
 * command prints): the {@link JsonFiles} mapping (snake_case, strict), without indentation.
 */
public final class JsonLines {
  private static final ObjectWriter WRITER =
      JsonFiles.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

  private JsonLines() {}

  /** {@code value} as one line of JSON, without the newline. */
  public static String format(Object value) {
    try {
      return WRITER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise " + value, e);
    }
  }

  /**
   * {@code value} as declared type {@code type} (so a type id of a sealed interface is written).
   */
  public static <T> String format(T value, Class<T> type) {
    try {
      return WRITER.forType(type).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise " + value, e);
    }
  }

  /** Parses one line; {@code location} names it in errors (e.g. {@code FILE line 3}). */
  public static <T> T parse(String line, Class<T> type, String location, String what) {
    try {
      return JsonFiles.parse(
          new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)), type, location, what);
    } catch (IOException e) {
      throw new InvalidFileException(location + ": " + e.getMessage(), e);
    }
  }

  /** Every non-blank line of {@code file}; a malformed one fails naming the file and line. */
  public static <T> List<T> read(Path file, Class<T> type, String what) {
    List<String> text;
    try {
      text = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    List<T> values = new ArrayList<>();
    for (int i = 0; i < text.size(); i++) {
      if (!text.get(i).isBlank()) {
        values.add(parse(text.get(i), type, file + " line " + (i + 1), what));
      }
    }
    return values;
  }
}
