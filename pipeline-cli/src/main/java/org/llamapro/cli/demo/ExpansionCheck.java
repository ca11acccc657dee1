package org.llamapro.cli.demo;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import org.llamapro.io.JsonFiles;
import org.llamapro.train.expand.ExpansionVerifier;

/**
 * {@code models/expansion-check.json}: the identity check of the demo's expansion (base and
 * expanded model on the same random sequences). Field names as the demo has always written them.
 */
record ExpansionCheck(
    int sequences,
    int length,
    @JsonProperty("maxAbsDifference") double maxAbsDifference,
    boolean identical) {
  static ExpansionCheck of(ExpansionVerifier.Result result) {
    return new ExpansionCheck(
        result.sequences(), result.length(), result.maxAbsDifference(), result.identical());
  }

  static ExpansionCheck read(Path file) {
    return JsonFiles.read(file, ExpansionCheck.class, "expansion check");
  }

  void write(Path file) {
    JsonFiles.write(file, this);
  }
}
