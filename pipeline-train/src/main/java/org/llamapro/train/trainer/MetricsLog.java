package org.llamapro.train.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.jsonl} of a run: one JSON object per line, {@code "kind": "train"} per step and
 * {@code "kind": "eval"} per validation. A resumed run first drops the lines after the step it
 * resumes from (an interrupted run may have got further than its last checkpoint).
 */
final class MetricsLog implements AutoCloseable {
  static final String FILE_NAME = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final BufferedWriter writer;

  private MetricsLog(Path file, BufferedWriter writer) {
    this.file = file;
    this.writer = writer;
  }

  /** Opens the log for appending, keeping only lines of steps up to {@code keepThroughStep}. */
  static MetricsLog open(Path runDirectory, int keepThroughStep) {
    Path file = runDirectory.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        List<String> kept = new ArrayList<>();
        for (JsonNode line : read(file)) {
          if (line.path("step").asInt() <= keepThroughStep) {
            kept.add(JSON.writeValueAsString(line));
          }
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
      }
      BufferedWriter writer =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return new MetricsLog(file, writer);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  void write(ObjectNode line) {
    try {
      writer.write(JSON.writeValueAsString(line));
      writer.newLine();
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  @Override
  public void close() {
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
