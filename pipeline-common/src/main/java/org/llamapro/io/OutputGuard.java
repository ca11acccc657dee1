package org.llamapro.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The rules every command that deletes or replaces a directory follows: an output never contains
 * and is never contained in one of its inputs, and {@code --overwrite} replaces only a directory
 * this pipeline wrote itself, recognised by the marker file the command leaves in it.
 */
public final class OutputGuard {
  private OutputGuard() {}

  /**
   * Refuses an output equal to, inside, or around one of {@code inputs} (name to path, e.g. {@code
   * --model}), so that replacing the output cannot delete an input.
   */
  public static void requireDisjoint(Path output, Map<String, Path> inputs) {
    requireDisjoint("--output", output, inputs);
  }

  /**
   * {@link #requireDisjoint(Path, Map)} for an output set by another option ({@code outputName}).
   */
  public static void requireDisjoint(String outputName, Path output, Map<String, Path> inputs) {
    Path out = canonical(output);
    for (Map.Entry<String, Path> input : inputs.entrySet()) {
      if (input.getValue() == null) {
        continue;
      }
      Path in = canonical(input.getValue());
      Overlap overlap =
          out.equals(in)
              ? Overlap.SAME
              : in.startsWith(out) ? Overlap.CONTAINS : out.startsWith(in) ? Overlap.INSIDE : null;
      if (overlap != null) {
        throw overlap.error(outputName, output, input.getKey(), input.getValue());
      }
    }
  }

  /** How an output overlaps an input; each is refused with the same message, local or remote. */
  enum Overlap {
    SAME("is the same directory as", ""),
    CONTAINS("contains", ": replacing the output would delete the input; choose another %s"),
    INSIDE("is inside", "; choose an %s outside it");

    private final String relation;
    private final String advice;

    Overlap(String relation, String advice) {
      this.relation = relation;
      this.advice = advice;
    }

    IllegalArgumentException error(
        String outputName, Object output, String inputName, Object input) {
      return new IllegalArgumentException(
          outputName
              + " "
              + output
              + " "
              + relation
              + " "
              + inputName
              + " "
              + input
              + String.format(java.util.Locale.ROOT, advice, outputName));
    }
  }

  /**
   * Checks that {@code output} may be written: absent, empty, or (with {@code overwrite}) a
   * directory holding {@code marker}, the file this command writes into every output it completes.
   * Anything else is refused with a message saying why.
   */
  public static void requireReplaceable(Path output, boolean overwrite, String marker) {
    if (!Files.exists(output) || isEmptyDirectory(output)) {
      return;
    }
    if (!Files.isDirectory(output)) {
      throw new IllegalArgumentException("--output " + output + " exists and is not a directory");
    }
    if (!overwrite) {
      throw new IllegalArgumentException(
          "Output directory exists and is not empty: "
              + output
              + " (use --overwrite to replace it)");
    }
    if (!Files.exists(output.resolve(marker))) {
      throw new IllegalArgumentException(
          "Refusing to --overwrite "
              + output
              + ": it has no "
              + marker
              + ", so this command did not write it; remove it yourself or choose another --output");
    }
  }

  public static boolean isEmptyDirectory(Path path) {
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(path)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + path, e);
    }
  }

  /** The real path where it exists, else the absolute normalised one (links resolved). */
  static Path canonical(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path existing = absolute;
    Path rest = absolute.getFileSystem().getPath("");
    while (existing != null && !Files.exists(existing)) {
      rest = existing.getFileName().resolve(rest);
      existing = existing.getParent();
    }
    if (existing == null) {
      return absolute;
    }
    try {
      return existing.toRealPath().resolve(rest).normalize();
    } catch (IOException e) {
      return absolute;
    }
  }
}
