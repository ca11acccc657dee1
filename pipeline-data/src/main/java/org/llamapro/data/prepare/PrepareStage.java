package org.llamapro.data.prepare;

import java.util.List;
import java.util.Set;

/**
 * One stage of {@code data prepare}. Stages run in order; each reads the tables of the stages
 * before it from the {@link OutputLayout} and writes its own. A stage whose configuration and
 * inputs are unchanged since it last completed in the same output directory is skipped, so a failed
 * run restarts at the stage that failed.
 *
 * <p>To add a stage after decontamination (tokenize, pack), implement this and pass it to {@link
 * PreparePipeline.Builder#addStage}.
 */
public interface PrepareStage {
  /** Short name: the key of its report in {@code summary.json} and of its progress marker. */
  String name();

  /**
   * The configuration prefixes this stage owns ({@code dedupe}): unknown keys under them are
   * errors, and all keys under them go into the stage's fingerprint.
   */
  List<String> configPrefixes();

  /** The keys under {@link #configPrefixes()} that this stage understands. */
  Set<String> knownKeys();

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
  StageReport run(StageContext context);
}
