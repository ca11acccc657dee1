package org.llamapro.data.prepare;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Gathers the per-source rows of {@code summary.json} from the stage reports. */
final class SummaryTables {
  private SummaryTables() {}

  /**
   * source -> {files, input_bytes, documents, bytes, bad_records, removed_exact, removed_near,
   * removed_contamination, clean_documents, clean_bytes}.
   */
  static Map<String, Map<String, Object>> perSource(Map<String, StageReport> reports) {
    Map<String, Map<String, Object>> table = new TreeMap<>();
    copy(reports.get("ingest"), "per_source", table, "");
    StageReport dedupe = reports.get("dedupe");
    if (dedupe != null && dedupe.get("removed_per_source") instanceof Map<?, ?> removed) {
      removed.forEach(
          (source, reasons) -> {
            if (reasons instanceof Map<?, ?> byReason) {
              byReason.forEach(
                  (reason, n) -> {
                    if (!"contamination".equals(reason)) {
                      row(table, source).put("removed_" + reason, n);
                    }
                  });
            }
          });
    }
    StageReport decontam = reports.get("decontam");
    if (decontam != null && decontam.get("removed_per_source") instanceof Map<?, ?> removed) {
      removed.forEach((source, n) -> row(table, source).put("removed_contamination", n));
    }
    copy(reports.get("clean"), "per_source", table, "clean_");
    return table;
  }

  private static void copy(
      StageReport report, String key, Map<String, Map<String, Object>> table, String prefix) {
    if (report != null && report.get(key) instanceof Map<?, ?> perSource) {
      perSource.forEach(
          (source, values) -> {
            if (values instanceof Map<?, ?> map) {
              map.forEach((k, v) -> row(table, source).put(prefix + k, v));
            }
          });
    }
  }

  private static Map<String, Object> row(Map<String, Map<String, Object>> table, Object source) {
    return table.computeIfAbsent(String.valueOf(source), s -> new LinkedHashMap<>());
  }
}
