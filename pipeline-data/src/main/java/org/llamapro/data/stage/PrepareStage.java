package org.llamapro.data.stage;

import java.util.List;
import org.llamapro.config.ConfigKeys;

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
   * The keys this stage reads: an unknown key under one of their prefixes ({@code dedupe}) is an
   * error, and every key under them goes into the stage's fingerprint.
   */
  ConfigKeys configKeys();

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
