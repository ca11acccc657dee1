package org.llamapro.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory built beside its target under a hidden name ({@code .NAME.tmp-HEX}) and moved into
 * place only when complete, so a reader never sees a half-written model, checkpoint or export.
 *
 * <p>The staging directory holds an {@value #OWNER_FILE} naming the process and its start time. A
 * later stage next to the same target removes stale staging directories whose owner is gone ({@link
 * #removeStale}), since a killed run leaves one as large as its output.
 */
public final class StagedDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StagedDirectory.class);

  /** Inside a staging directory: {@code pid start-instant}. Removed before publishing. */
  public static final String OWNER_FILE = ".staging-owner";

  private final Path target;
  private final Path staging;
  private boolean published;

  private StagedDirectory(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
  }

  /** Creates an empty staging directory for {@code target}, after removing stale ones. */
  public static StagedDirectory create(Path target) {
    requireNonNull(target, "target is null");
    Path absolute = target.toAbsolutePath().normalize();
    try {
      Files.createDirectories(absolute.getParent());
      removeStale(absolute);
      Path staging = AtomicFiles.temporarySibling(absolute, "tmp");
      Files.createDirectory(staging);
      ProcessHandle self = ProcessHandle.current();
      Files.writeString(
          staging.resolve(OWNER_FILE),
          self.pid() + " " + self.info().startInstant().map(Instant::toString).orElse("?") + "\n");
      return new StagedDirectory(absolute, staging);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a staging directory next to " + target, e);
    }
  }

  /** Where to write the content. */
  public Path path() {
    return staging;
  }

  public Path target() {
    return target;
  }

  /**
   * Moves the finished directory to the target. An existing target is first moved aside and deleted
   * after the move, so a crash leaves either the old or the new directory in place.
   */
  public void publish() {
    try {
      Files.deleteIfExists(staging.resolve(OWNER_FILE));
      Path previous = null;
      if (Files.exists(target)) {
        previous = AtomicFiles.temporarySibling(target, "old");
        Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      published = true;
      if (previous != null) {
        Directories.deleteRecursively(previous);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot move " + staging + " to " + target, e);
    }
  }

  /** Deletes the staging directory unless it was published. */
  @Override
  public void close() {
    if (published) {
      return;
    }
    try {
      Directories.deleteRecursively(staging);
    } catch (IOException e) {
      LOG.warn("Cannot remove staging directory {}: {}", staging, e.toString());
    }
  }

  /**
   * Removes the staging and moved-aside directories of {@code target} whose owning process no
   * longer runs, and returns the ones it removed; those of a live process are kept and logged.
   */
  public static List<Path> removeStale(Path target) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    List<Path> removed = new ArrayList<>();
    if (parent == null || !Files.isDirectory(parent)) {
      return removed;
    }
    String tmpPrefix = "." + absolute.getFileName() + ".tmp-";
    String oldPrefix = "." + absolute.getFileName() + ".old-";
    List<Path> candidates;
    try (Stream<Path> entries = Files.list(parent)) {
      candidates =
          entries
              .filter(Files::isDirectory)
              .filter(
                  p -> {
                    String name = p.getFileName().toString();
                    return name.startsWith(tmpPrefix) || name.startsWith(oldPrefix);
                  })
              .toList();
    }
    for (Path candidate : candidates) {
      if (ownerAlive(candidate)) {
        LOG.warn("Leaving {}: its owner is still running", candidate);
        continue;
      }
      LOG.info("Removing stale staging directory {}", candidate);
      Directories.deleteRecursively(candidate);
      removed.add(candidate);
    }
    return removed;
  }

  private static boolean ownerAlive(Path staging) {
    Path owner = staging.resolve(OWNER_FILE);
    if (!Files.isRegularFile(owner)) {
      return false; // moved-aside old outputs and pre-owner staging directories
    }
    try {
      String[] parts = Files.readString(owner).trim().split(" ", 2);
      long pid = Long.parseLong(parts[0]);
      String started = parts.length > 1 ? parts[1] : "?";
      return ProcessHandle.of(pid)
          .map(
              p ->
                  p.isAlive()
                      && p.info()
                          .startInstant()
                          .map(Instant::toString)
                          .map(started::equals)
                          .orElse(true))
          .orElse(false);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
