package org.llamapro.data.stage;

import static java.util.Objects.requireNonNull;

/**
 * The directories under {@code --output DIR}. Tables are Delta (Parquet data files plus {@code
 * _delta_log/}); {@code summary.json} is written last, so its presence means the run completed.
 */
public final class OutputLayout {
  private final String root;

  public OutputLayout(String root) {
    requireNonNull(root, "root is null");
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  public String root() {
    return root;
  }

  /** Every ingested document ({@link org.llamapro.data.DocumentColumns}). */
  public String documents() {
    return resolve("documents");
  }

  /** Bad input records: location and reason. */
  public String quarantine() {
    return resolve("quarantine");
  }

  /** Every removed document: id, duplicate_of, reason, similarity, component, benchmark item. */
  public String audit() {
    return resolve("dedupe/audit");
  }

  /** The signature index of this run, usable as {@code dedupe.reference-index} of a later run. */
  public String index() {
    return resolve("dedupe/index");
  }

  /** The documents that survive, with the same columns as {@link #documents()}. */
  public String clean() {
    return resolve("clean");
  }

  public String summary() {
    return resolve("summary.json");
  }

  /** Progress markers of completed stages (for restart). */
  public String progress() {
    return resolve("_progress");
  }

  /** Scratch space of a stage; deleted when the run completes. */
  public String work(String name) {
    return resolve("_work/" + name);
  }

  public String resolve(String relative) {
    return root + "/" + relative;
  }

  @Override
  public String toString() {
    return root;
  }
}
