package org.llamapro.data.ingest;

import java.util.Map;
import org.llamapro.data.stage.StageReport;

/**
 * What ingest read: documents and their text bytes, bad records by reason (quarantined), blank
 * lines (skipped), files with an unknown extension (ignored), and the same per source.
 */
public record IngestReport(
    long documents,
    long bytes,
    long badRecords,
    double badFraction,
    Map<String, Long> badByReason,
    long blankLines,
    int ignoredFiles,
    Map<String, Source> perSource)
    implements StageReport {

  /** One source: its input files and bytes, and what was read from them. */
  public record Source(
      long files, long inputBytes, long documents, long bytes, long badRecords, long blankLines) {}
}
