package org.llamapro.train.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.llamapro.io.JsonFiles;
import org.llamapro.train.trainer.TrainingDivergedException;

/**
 * {@value #FILE_NAME} in the run directory: a rank's record that training diverged. Spark retries a
 * failed barrier stage, and a diverged run would diverge again on every attempt, so a retried
 * attempt that finds this file fails at once, and the driver reports the original failure.
 *
 * @param step the step at which the run stopped
 * @param lastGoodCheckpoint the newest checkpoint on disk, or null when none was written
 * @param message the exception's message, which names both
 */
record Divergence(int step, String lastGoodCheckpoint, String message) {
  static final String FILE_NAME = "diverged.json";

  static Divergence of(TrainingDivergedException e) {
    return new Divergence(
        e.step(),
        e.lastGoodCheckpoint() == null ? null : e.lastGoodCheckpoint().toString(),
        e.getMessage());
  }

  static Optional<Divergence> read(Path run) {
    Path file = run.resolve(FILE_NAME);
    return Files.isRegularFile(file)
        ? Optional.of(JsonFiles.read(file, Divergence.class, "divergence record"))
        : Optional.empty();
  }

  void write(Path run) {
    JsonFiles.write(run.resolve(FILE_NAME), this);
  }

  /** A new job on the run (a resume the user chose) starts without the earlier record. */
  static void clear(Path run) {
    try {
      Files.deleteIfExists(run.resolve(FILE_NAME));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove " + run.resolve(FILE_NAME), e);
    }
  }

  TrainingDivergedException toException() {
    return TrainingDivergedException.reported(
        message, step, lastGoodCheckpoint == null ? null : Path.of(lastGoodCheckpoint));
  }
}
