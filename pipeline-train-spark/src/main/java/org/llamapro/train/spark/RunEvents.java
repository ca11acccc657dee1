package org.llamapro.train.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.llamapro.train.trainer.JsonLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code events.jsonl} of a run directory: what happened to a data-parallel run, one {@link
 * RunEvent} per line. The driver records the job and every failed task; rank 0 records each attempt
 * it starts and the step it resumed from. Lines are appended whole (one write of a short line in
 * append mode), so the driver and rank 0 can both write.
 */
public final class RunEvents {
  public static final String FILE_NAME = "events.jsonl";
  private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);

  private RunEvents() {}

  /** Appends {@code event} to {@code runDirectory/events.jsonl}. */
  public static synchronized void append(Path runDirectory, RunEvent event) {
    Path file = runDirectory.resolve(FILE_NAME);
    try {
      Files.createDirectories(runDirectory);
      byte[] line = (format(event) + "\n").getBytes(StandardCharsets.UTF_8);
      Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Appends, logging instead of failing: for listeners, where an exception would be lost. */
  static void appendQuietly(Path runDirectory, RunEvent event) {
    try {
      append(runDirectory, event);
    } catch (UncheckedIOException e) {
      LOG.warn("Cannot record event {}: {}", event, e.getMessage());
    }
  }

  static String format(RunEvent event) {
    return JsonLines.format(event, RunEvent.class);
  }

  /**
   * Every event of a run, oldest first (none when the file does not exist); a malformed line fails
   * naming the file, the line and the field.
   */
  public static List<RunEvent> read(Path runDirectory) {
    Path file = runDirectory.resolve(FILE_NAME);
    return Files.exists(file) ? JsonLines.read(file, RunEvent.class, "run event") : List.of();
  }
}
