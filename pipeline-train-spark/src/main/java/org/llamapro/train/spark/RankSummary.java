package org.llamapro.train.spark;

import java.util.List;
import org.llamapro.train.trainer.JsonLines;
import org.llamapro.train.trainer.NonFinite;
import org.llamapro.train.trainer.TrainingRun;

/**
 * How one rank's task ended: the line it returns to the driver (JSON, one per rank).
 *
 * @param resumedFromStep the checkpoint step the attempt resumed from, 0 for none
 * @param lastStep the last step trained
 * @param finished whether the run reached {@code train.steps}
 * @param loss the last step's training loss (null when not finite)
 * @param valLoss the last validation loss (null when none ran or it was not finite)
 * @param checkpoint the last checkpoint directory, or null
 * @param nonFinite which of {@code loss}, {@code val_loss} are null because they were not finite
 */
public record RankSummary(
    int rank,
    String executor,
    String device,
    int stageAttempt,
    int resumedFromStep,
    int lastStep,
    boolean finished,
    Double loss,
    Double valLoss,
    String checkpoint,
    List<String> nonFinite) {
  public RankSummary {
    nonFinite = List.copyOf(nonFinite);
  }

  /** The summary of a run result; JSON has no NaN, so non-finite losses become null and named. */
  static RankSummary of(
      int rank,
      String executor,
      String device,
      int stageAttempt,
      int resumedFromStep,
      TrainingRun.Result result) {
    return new RankSummary(
        rank,
        executor,
        device,
        stageAttempt,
        resumedFromStep,
        result.lastStep(),
        result.finished(),
        NonFinite.orNull(result.lastLoss()),
        NonFinite.orNull(result.lastValidationLoss()),
        result.lastCheckpoint() == null ? null : result.lastCheckpoint().toString(),
        NonFinite.names("loss", result.lastLoss(), "val_loss", result.lastValidationLoss()).stream()
            // a validation that never ran is NaN too, but it is "none", not "non-finite"
            .filter(name -> !(name.equals("val_loss") && Double.isNaN(result.lastValidationLoss())))
            .toList());
  }

  /** The line sent to the driver. */
  public String encode() {
    return JsonLines.format(this);
  }

  /** Reads a rank's line. */
  public static RankSummary parse(String line) {
    return JsonLines.parse(line, RankSummary.class, "a rank's summary", "rank summary");
  }
}
