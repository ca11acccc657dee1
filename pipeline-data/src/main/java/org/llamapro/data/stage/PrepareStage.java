package org.llamapro.data.stage;

import java.util.List;
import java.util.Set;

/**
 * One stage of {@code data prepare}. Stages run in order; each reads the tables of the stages
 * before it from the {@link OutputLayout} and writes its own. A stage whose configuration and
 * inputs are unchanged since it last completed in the same output directory is skipped, so a failed
 * run restarts at the stage that failed.
 *
 * <p>This interface and the types it uses live apart from the concrete pipeline, so that the stages
 * (ingest, dedupe, decontam, pack) and the pipeline that runs them do not depend on each other.
 *
 * @param <R> the stage's report record
 */
public interface PrepareStage<R extends StageReport> {
  /** Short name: the key of its report in {@code summary.json} and of its progress marker. */
  String name();

  /**
   * The configuration prefixes this stage owns ({@code dedupe}): unknown keys under them are
   * errors, and all keys under them go into the stage's fingerprint.
   */
  List<String> configPrefixes();

  /** The keys under {@link #configPrefixes()} that this stage understands. */
  Set<String> knownKeys();

  /** The record type of {@link #run}'s report (to read it back from the progress marker). */
  Class<R> reportType();

  /**
   * What else decides this stage's result besides its settings and the stages before it, e.g. the
   * listing of the input files (names, sizes, modification times). Empty by default.
   */
  default String fingerprintInputs(StageContext context) {
    return "";
  }

  /** The directories this stage owns; they are deleted before the stage (re-)runs. */
  List<String> outputs(OutputLayout layout);

  /** Runs the stage and reports its counts; the pipeline adds the time. */
  R run(StageContext context);
}
