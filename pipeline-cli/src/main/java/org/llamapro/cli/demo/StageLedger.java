package org.llamapro.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.llamapro.io.InvalidFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's finished stages under {@code <workdir>/.stages/}: a stage is skipped only when its
 * record holds the fingerprint of the inputs it would run with now.
 */
final class StageLedger {
  private static final Logger LOG = LoggerFactory.getLogger(StageLedger.class);

  /** A stage body. */
  @FunctionalInterface
  interface Body {
    void run() throws IOException;
  }

  private final Path directory;
  private final int stages;
  private final Map<String, Double> secondsByStage = new LinkedHashMap<>();
  private int number;

  StageLedger(Path directory, int stages) {
    this.directory = directory;
    this.stages = stages;
  }

  /** Runs {@code body} unless it already ran with these inputs; returns the stage's fingerprint. */
  String run(String name, String title, StageInputs inputs, Body body) throws IOException {
    number++;
    String fingerprint = inputs.fingerprint(name);
    Path recordFile = directory.resolve(name + ".done");
    String reason = reasonToRun(recordFile, fingerprint);
    if (reason == null) {
      LOG.info("[{}/{}] {}: already done with these settings", number, stages, title);
      return fingerprint;
    }
    LOG.info("[{}/{}] {} ({}) ...", number, stages, title, reason);
    // Until the body finishes, its outputs are neither the old nor the new ones.
    Files.deleteIfExists(recordFile);
    long started = System.nanoTime();
    body.run();
    double seconds = (System.nanoTime() - started) / 1e9;
    secondsByStage.put(name, seconds);
    new StageRecord(name, fingerprint, seconds).write(recordFile);
    LOG.info("[{}/{}] {}: done in {}", number, stages, title, DemoRun.seconds(seconds));
    return fingerprint;
  }

  /** Why the stage must run, or null when its record matches. */
  private static String reasonToRun(Path recordFile, String fingerprint) {
    if (!Files.exists(recordFile)) {
      return "not run yet";
    }
    try {
      StageRecord record = StageRecord.read(recordFile);
      return record.fingerprint().equals(fingerprint)
          ? null
          : "its settings or an earlier stage changed";
    } catch (InvalidFileException e) {
      LOG.info("{}; running the stage again", e.getMessage());
      return "no usable record";
    }
  }

  /** Seconds of each stage this run executed. */
  Map<String, Double> secondsByStage() {
    return secondsByStage;
  }
}
