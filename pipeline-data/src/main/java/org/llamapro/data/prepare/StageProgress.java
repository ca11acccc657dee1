package org.llamapro.data.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.llamapro.data.stage.StageReport;
import org.llamapro.data.stage.Tables;
import org.llamapro.io.JsonFiles;

/**
 * {@code _progress/<stage>.json}: written when a stage completes, with the fingerprint of its
 * settings and inputs, its time and its report. A rerun skips the stage while the fingerprint is
 * unchanged, and takes the report from here.
 *
 * @param <R> the stage's report record
 */
public record StageProgress<R extends StageReport>(String fingerprint, double seconds, R report) {

  /** The file as stored, before the report is read as its stage's record. */
  private record Stored(String fingerprint, double seconds, JsonNode report) {}

  /** The marker at {@code path}, or null when the stage has not completed there. */
  static <R extends StageReport> StageProgress<R> readIfExists(
      Tables tables, String path, String stage, Class<R> reportType) {
    String what = "progress marker of stage " + stage;
    Stored stored = tables.readJson(path, Stored.class, what);
    if (stored == null) {
      return null;
    }
    try {
      R report =
          JsonFiles.parse(
              new ByteArrayInputStream(JsonFiles.MAPPER.writeValueAsBytes(stored.report())),
              reportType,
              path + " (report)",
              what);
      return new StageProgress<>(stored.fingerprint(), stored.seconds(), report);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + what + " " + path, e);
    }
  }

  void write(Tables tables, String path) {
    tables.writeJson(path, this);
  }
}
