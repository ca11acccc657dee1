package org.llamapro.data.prepare;

import java.util.Map;
import org.llamapro.data.stage.StageReport;

/** What survives into {@code clean/}: documents and text bytes, in total and per source. */
public record CleanReport(long documents, long bytes, int files, Map<String, Source> perSource)
    implements StageReport {

  /** One source's surviving documents and text bytes. */
  public record Source(long documents, long bytes) {}
}
