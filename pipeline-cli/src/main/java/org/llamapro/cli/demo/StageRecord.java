package org.llamapro.cli.demo;

import java.nio.file.Path;
import org.llamapro.io.JsonFiles;

/**
 * {@code <workdir>/.stages/<stage>.done}: a finished demo stage, the fingerprint of the settings
 * and upstream stages it ran with, and how long it took.
 *
 * @param stage the stage's name ({@code pretrain})
 * @param fingerprint hex SHA-256 of its inputs (see {@link StageInputs})
 * @param seconds wall-clock time of the stage
 */
record StageRecord(String stage, String fingerprint, double seconds) {
  static StageRecord read(Path file) {
    return JsonFiles.read(file, StageRecord.class, "demo stage record");
  }

  void write(Path file) {
    JsonFiles.write(file, this);
  }
}
