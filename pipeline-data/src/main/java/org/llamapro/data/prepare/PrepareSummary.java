package org.llamapro.data.prepare;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.llamapro.data.decontam.DecontamReport;
import org.llamapro.data.dedupe.DedupeReport;
import org.llamapro.data.ingest.IngestReport;
import org.llamapro.data.pack.PackReport;
import org.llamapro.shards.HadoopJsonFiles;

/**
 * {@code summary.json}, written last by {@code data prepare} (its presence means the run
 * completed): the output, the settings of the stages, the total time, each stage's time and report,
 * and a table per source.
 *
 * @param settings the keys under the stages' prefixes, as given
 */
public record PrepareSummary(
    String output,
    Map<String, String> settings,
    double seconds,
    Stages stages,
    Map<String, SourceSummary> perSource) {

  /** The stages in run order; {@code pack} is null when the run did not tokenize and pack. */
  public record Stages(
      StageEntry<IngestReport> ingest,
      StageEntry<DedupeReport> dedupe,
      StageEntry<DecontamReport> decontam,
      StageEntry<CleanReport> clean,
      StageEntry<PackReport> pack) {}

  /**
   * One source through the stages: input files and bytes, documents read, bad records and blank
   * lines, documents removed as exact or near duplicates or as contamination, and what survived.
   */
  public record SourceSummary(
      long files,
      long inputBytes,
      long documents,
      long bytes,
      long badRecords,
      long blankLines,
      long removedExact,
      long removedNear,
      long removedContamination,
      long cleanDocuments,
      long cleanBytes) {}

  public static PrepareSummary read(Configuration conf, String path) {
    return HadoopJsonFiles.read(conf, path, PrepareSummary.class, "prepare summary");
  }

  public void write(Configuration conf, String path) {
    HadoopJsonFiles.write(conf, path, this);
  }
}
