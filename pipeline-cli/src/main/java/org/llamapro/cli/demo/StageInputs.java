package org.llamapro.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.llamapro.config.Settings;
import org.llamapro.hash.Sha256;
import org.llamapro.io.JsonFiles;

/**
 * What a demo stage's result depends on: its resolved settings, the files it reads, and the
 * fingerprints of the stages it builds on. Equal inputs give an equal {@link #fingerprint}, so a
 * changed setting reruns the stage and, through their upstream fingerprints, every later one.
 */
final class StageInputs {
  private final TreeMap<String, String> values = new TreeMap<>();

  /** One value the stage depends on. */
  StageInputs with(String key, Object value) {
    values.put(key, String.valueOf(value));
    return this;
  }

  /** Every key of a stage's settings, under {@code name} (e.g. the properties file). */
  StageInputs with(String name, Settings settings) {
    settings.asMap().forEach((key, value) -> values.put(name + ":" + key, value));
    return this;
  }

  /** A stage this one builds on, by its fingerprint. */
  StageInputs after(String stage, String fingerprint) {
    values.put("stage:" + stage, fingerprint);
    return this;
  }

  /** The files under {@code root}, by relative path, size and modification time. */
  StageInputs withFiles(String name, Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      files
          .filter(Files::isRegularFile)
          .sorted()
          .forEach(
              file -> {
                try {
                  values.put(
                      name + ":" + root.relativize(file),
                      Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis());
                } catch (IOException e) {
                  throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + root + ": " + e.getMessage(), e);
    }
    return this;
  }

  /** Hex SHA-256 of the stage's name and its inputs in key order. */
  String fingerprint(String stage) {
    return Sha256.hex(stage + "\n" + JsonFiles.toJson(values));
  }
}
