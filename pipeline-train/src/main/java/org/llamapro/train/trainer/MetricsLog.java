package org.llamapro.train.trainer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.llamapro.io.AtomicFiles;

/**
 * {@code metrics.jsonl} of a run: one {@link MetricsLine} per line. A resumed run first drops the
 * lines after the step it resumes from (an interrupted run may have got further than its last
 * checkpoint).
 */
final class MetricsLog implements AutoCloseable {
  static final String FILE_NAME = "metrics.jsonl";

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
        StringBuilder kept = new StringBuilder();
        for (MetricsLine line : read(file)) {
          if (line.step() <= keepThroughStep) {
            kept.append(format(line)).append('\n');
          }
        }
        AtomicFiles.writeString(file, kept.toString());
      }
      BufferedWriter writer =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return new MetricsLog(file, writer);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  /** Every line of {@code file}; a malformed one fails naming the file and the line number. */
  static List<MetricsLine> read(Path file) {
    return JsonLines.read(file, MetricsLine.class, "metrics line");
  }

  static String format(MetricsLine line) {
    return JsonLines.format(line, MetricsLine.class);
  }

  void write(MetricsLine line) {
    try {
      writer.write(format(line));
      writer.newLine();
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
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
