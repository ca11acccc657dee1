package org.llamapro.train.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code events.jsonl} of a run directory: what happened to a data-parallel run, one JSON object
 * per line with {@code "event"} and {@code "time"}. The driver records the job and every failed
 * task; rank 0 records each attempt it starts and the step it resumed from. Lines are appended
 * whole (one write of a short line in append mode), so the driver and rank 0 can both write.
 */
public final class RunEvents {
  public static final String FILE_NAME = "events.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);

  private RunEvents() {}

  /** A new event line with its name and the current time. */
  public static ObjectNode event(String name) {
    ObjectNode node = JSON.createObjectNode();
    node.put("event", name);
    node.put("time", Instant.now().toString());
    return node;
  }

  /** Appends {@code event} to {@code runDirectory/events.jsonl}. */
  public static synchronized void append(Path runDirectory, ObjectNode event) {
    Path file = runDirectory.resolve(FILE_NAME);
    try {
      Files.createDirectories(runDirectory);
      byte[] line = (JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
      Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Appends, logging instead of failing: for listeners, where an exception would be lost. */
  static void appendQuietly(Path runDirectory, ObjectNode event) {
    try {
      append(runDirectory, event);
    } catch (UncheckedIOException e) {
      LOG.warn("Cannot record event {}: {}", event, e.getMessage());
    }
  }

  /** Every event of a run, oldest first (none when the file does not exist). */
  public static List<JsonNode> read(Path runDirectory) {
    Path file = runDirectory.resolve(FILE_NAME);
    List<JsonNode> events = new ArrayList<>();
    if (!Files.exists(file)) {
      return events;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          events.add(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    return events;
  }
}
