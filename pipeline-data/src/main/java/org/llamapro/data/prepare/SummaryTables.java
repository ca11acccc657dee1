package org.llamapro.data.prepare;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.llamapro.data.decontam.DecontamReport;
import org.llamapro.data.dedupe.AuditColumns;
import org.llamapro.data.dedupe.DedupeReport;
import org.llamapro.data.ingest.IngestReport;

/** Gathers the per-source rows of {@code summary.json} from the stage reports. */
final class SummaryTables {
  private SummaryTables() {}

  /** Source to its row; a stage that did not run counts zero. */
  static Map<String, PrepareSummary.SourceSummary> perSource(
      IngestReport ingest, DedupeReport dedupe, DecontamReport decontam, CleanReport clean) {
    TreeSet<String> sources = new TreeSet<>();
    if (ingest != null) {
      sources.addAll(ingest.perSource().keySet());
    }
    if (clean != null) {
      sources.addAll(clean.perSource().keySet());
    }
    Map<String, PrepareSummary.SourceSummary> table = new TreeMap<>();
    for (String source : sources) {
      IngestReport.Source in = ingest == null ? null : ingest.perSource().get(source);
      Map<String, Long> removed =
          dedupe == null ? Map.of() : dedupe.removedPerSource().getOrDefault(source, Map.of());
      CleanReport.Source out = clean == null ? null : clean.perSource().get(source);
      table.put(
          source,
          new PrepareSummary.SourceSummary(
              in == null ? 0 : in.files(),
              in == null ? 0 : in.inputBytes(),
              in == null ? 0 : in.documents(),
              in == null ? 0 : in.bytes(),
              in == null ? 0 : in.badRecords(),
              in == null ? 0 : in.blankLines(),
              removed.getOrDefault(AuditColumns.EXACT, 0L),
              removed.getOrDefault(AuditColumns.NEAR, 0L),
              decontam == null ? 0 : decontam.removedPerSource().getOrDefault(source, 0L),
              out == null ? 0 : out.documents(),
              out == null ? 0 : out.bytes()));
    }
    return table;
  }
}
