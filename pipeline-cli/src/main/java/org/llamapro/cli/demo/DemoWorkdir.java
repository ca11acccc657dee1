package org.llamapro.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.llamapro.io.Directories;
import org.llamapro.io.OutputGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's work directory follows the output rules of every command: it never overlaps the corpus
 * or the configuration, and the demo writes into (or, with {@code --fresh}, deletes) only a
 * directory that is empty or carries its marker, the {@code .stages/} directory.
 */
final class DemoWorkdir {
  private static final Logger LOG = LoggerFactory.getLogger(DemoWorkdir.class);

  /** The demo creates it before any stage writes, so every work directory it touched has it. */
  static final String MARKER = ".stages";

  private DemoWorkdir() {}

  /** Checks {@code work}, empties it for {@code fresh}, and marks it as the demo's. */
  static Path open(Path work, boolean fresh, Map<String, Path> inputs) throws IOException {
    OutputGuard.requireDisjoint("--workdir", work, inputs);
    if (Files.exists(work) && !OutputGuard.isEmptyDirectory(work)) {
      if (!Files.isDirectory(work)) {
        throw new IllegalArgumentException("--workdir " + work + " exists and is not a directory");
      }
      if (!Files.isDirectory(work.resolve(MARKER))) {
        throw new IllegalArgumentException(
            "--workdir "
                + work
                + " is not empty and has no "
                + MARKER
                + "/, so the demo did not write it; remove it yourself or choose another"
                + " --workdir");
      }
      if (fresh) {
        LOG.info("--fresh: removing {}", work);
        delete(work);
      }
    }
    return Files.createDirectories(work.resolve(MARKER));
  }

  /** Removes a directory of the work directory before the stage that writes it reruns. */
  static void delete(Path directory) {
    try {
      Directories.deleteRecursively(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove " + directory + ": " + e.getMessage(), e);
    }
  }
}
