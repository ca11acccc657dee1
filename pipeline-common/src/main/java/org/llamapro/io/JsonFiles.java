package org.llamapro.io;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads and writes the pipeline's JSON files as typed records: snake_case field names, every field
 * present (a missing or unknown field is an {@link InvalidFileException} naming the file and the
 * field), pretty-printed, written atomically. Each file type keeps its own record with a {@code
 * read} and a {@code write} that call these.
 */
public final class JsonFiles {
  /** The mapper every typed file uses; records map with their component names in snake_case. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private JsonFiles() {}

  /** Reads {@code file} as a {@code type}; {@code what} names the file's kind in errors. */
  public static <T> T read(Path file, Class<T> type, String what) {
    requireNonNull(file, "file is null");
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, type, file.toString(), what);
    } catch (NoSuchFileException e) {
      throw new InvalidFileException("Missing " + what + ": " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a stream; {@code location} (a path or URI) names the file in errors. */
  public static <T> T parse(InputStream in, Class<T> type, String location, String what)
      throws IOException {
    try {
      return MAPPER.readValue(in, type);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidFileException(
          location
              + ": not a valid "
              + what
              + ": unknown field '"
              + fieldPath(e)
              + "' (known: "
              + e.getKnownPropertyIds().stream()
                  .map(String::valueOf)
                  .sorted()
                  .collect(Collectors.joining(", "))
              + ")",
          e);
    } catch (JsonMappingException e) {
      String field = fieldPath(e);
      throw new InvalidFileException(
          location
              + ": not a valid "
              + what
              + (field.isEmpty() ? "" : ": field '" + field + "'")
              + ": "
              + e.getOriginalMessage(),
          e);
    } catch (JsonProcessingException e) {
      throw new InvalidFileException(
          location + ": not a valid " + what + ": malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Pretty JSON with a trailing newline. */
  public static String toJson(Object value) {
    try {
      return MAPPER.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise " + value.getClass().getName(), e);
    }
  }

  /** Writes {@code value} to {@code file} atomically (temporary file, then rename). */
  public static void write(Path file, Object value) {
    try {
      AtomicFiles.write(file, out -> out.write(toJson(value).getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String fieldPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatch
        && path.length() == 0
        && e.getOriginalMessage() != null) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("Missing required creator property '([^']+)'")
              .matcher(e.getOriginalMessage());
      if (m.find()) {
        path.append(m.group(1));
      }
    }
    return path.toString();
  }
}
