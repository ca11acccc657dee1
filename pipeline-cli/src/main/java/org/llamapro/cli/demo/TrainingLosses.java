package org.llamapro.cli.demo;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
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
 * The training loss curve of a run, from its {@code metrics.jsonl} (written by the trainer). The
 * demo reads only the fields the curve needs; the trainer owns the rest of each line.
 */
final class TrainingLosses {
  /** The part of a metrics line the loss curve uses; eval lines have no loss and no skipped. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Line(String kind, int step, Double loss, Boolean skipped) {
    boolean isTrainedStep() {
      return "train".equals(kind) && loss != null && !Boolean.TRUE.equals(skipped);
    }
  }

  private static final ObjectReader LINES =
      JsonFiles.MAPPER
          .readerFor(Line.class)
          .without(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  private TrainingLosses() {}

  /** (step, loss) of every step that updated the model; empty when the run has no metrics. */
  static List<double[]> read(Path runDirectory) {
    Path metrics = runDirectory.resolve("metrics.jsonl");
    List<double[]> points = new ArrayList<>();
    if (!Files.exists(metrics)) {
      return points;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(metrics, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + metrics + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      try {
        Line line = LINES.readValue(lines.get(i));
        if (line.isTrainedStep()) {
          points.add(new double[] {line.step(), line.loss()});
        }
      } catch (JsonProcessingException e) {
        throw new InvalidFileException(
            metrics + ":" + (i + 1) + ": not a valid metrics line: " + e.getOriginalMessage(), e);
      }
    }
    return points;
  }
}
