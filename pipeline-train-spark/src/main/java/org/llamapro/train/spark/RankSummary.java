package org.llamapro.train.spark;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.llamapro.io.JsonFiles;

/**
 * How one rank's task ended: the line it returns to the driver (JSON, one per rank).
 *
 * @param resumedFromStep the checkpoint step the attempt resumed from, 0 for none
 * @param lastStep the last step trained
 * @param finished whether the run reached {@code train.steps}
 * @param loss the last step's training loss
 * @param valLoss the last validation loss (NaN when none ran)
 * @param checkpoint the last checkpoint directory, or null
 */
public record RankSummary(
    int rank,
    String executor,
    String device,
    int stageAttempt,
    int resumedFromStep,
    int lastStep,
    boolean finished,
    double loss,
    double valLoss,
    String checkpoint) {

  /** The line sent to the driver. */
  public String encode() {
    return JsonFiles.toJson(this).replace("\n", " ").trim();
  }

  /** Reads a rank's line. */
  public static RankSummary parse(String line) {
    try {
      return JsonFiles.parse(
          new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)),
          RankSummary.class,
          "a rank's summary",
          "rank summary");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read a rank's summary: " + e.getMessage(), e);
    }
  }
}
