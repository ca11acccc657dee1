package org.llamapro.train.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.llamapro.hash.Sha256;
import org.llamapro.io.Directories;
import org.llamapro.io.InvalidFileException;
import org.llamapro.io.StagedDirectory;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.FloatCodec;
import org.llamapro.train.checkpoint.InvalidCheckpointException;
import org.llamapro.train.checkpoint.SafetensorsWriter;
import org.llamapro.train.checkpoint.TensorSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of a run under {@code RUN_DIR/checkpoints}. A checkpoint is written into a hidden
 * staging directory ({@link StagedDirectory}) and moved to {@code step-N} in one atomic rename: a
 * directory named {@code step-N} is always complete, and nothing else is ever read. After each
 * write only the newest {@code keep} are kept. Every checkpoint records the SHA-256 of its tensor
 * files; {@link #latestVerified()} checks them before a run resumes or is exported, and refuses a
 * corrupt checkpoint naming the file and the newest older one that verifies. Weights that are no
 * longer finite are never saved, so the newest checkpoint is always one a run can continue from.
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  private static final Pattern NAME = Pattern.compile("step-(\\d{8})");

  private final Path directory;
  private final int keep;

  public CheckpointStore(Path runDirectory, int keep) {
    this.directory = runDirectory.resolve("checkpoints");
    if (keep < 1) {
      throw new IllegalArgumentException("Invalid checkpoints to keep: " + keep + " (must be > 0)");
    }
    this.keep = keep;
  }

  public Path directory() {
    return directory;
  }

  /** Complete checkpoints, oldest first. */
  public List<RunCheckpoint> list() {
    return stepDirectories().stream().map(CheckpointStore::load).toList();
  }

  /** The {@code step-N} directories holding a state file, oldest first. */
  private List<Path> stepDirectories() {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(directory)) {
      return entries
          .filter(e -> NAME.matcher(e.getFileName().toString()).matches())
          .filter(e -> Files.isRegularFile(e.resolve(RunCheckpoint.STATE)))
          .sorted(Comparator.comparingInt(CheckpointStore::stepOf))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + directory + ": " + e.getMessage(), e);
    }
  }

  private static int stepOf(Path checkpoint) {
    Matcher m = NAME.matcher(checkpoint.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("Not a checkpoint directory: " + checkpoint);
    }
    return Integer.parseInt(m.group(1));
  }

  private static RunCheckpoint load(Path checkpoint) {
    return new RunCheckpoint(checkpoint, stepOf(checkpoint), CheckpointState.read(checkpoint));
  }

  public Optional<RunCheckpoint> latest() {
    List<RunCheckpoint> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * The newest checkpoint, once its files match the checksums its state recorded: what a run
   * resumes from and what export reads.
   *
   * @throws InvalidCheckpointException when it is corrupt (or its state unreadable); the message
   *     names the bad file and the newest older checkpoint that verifies, which a resumption uses
   *     once the corrupt one is moved out of {@code checkpoints/}
   */
  public Optional<RunCheckpoint> latestVerified() {
    List<Path> newestFirst = new ArrayList<>(stepDirectories());
    java.util.Collections.reverse(newestFirst);
    if (newestFirst.isEmpty()) {
      return Optional.empty();
    }
    Path newest = newestFirst.get(0);
    String problem = problem(newest);
    if (problem == null) {
      return Optional.of(load(newest));
    }
    Path previous =
        newestFirst.stream().skip(1).filter(d -> problem(d) == null).findFirst().orElse(null);
    throw new InvalidCheckpointException(
        "Checkpoint "
            + newest
            + " is corrupt: "
            + problem
            + "; "
            + (previous == null
                ? "no earlier checkpoint verifies, so the run cannot continue"
                : "the previous checkpoint "
                    + previous
                    + " verifies: move "
                    + newest
                    + " out of "
                    + directory
                    + " and run again to continue from it"));
  }

  /** Why the checkpoint in {@code dir} cannot be used, or null when it verifies. */
  private static String problem(Path dir) {
    try {
      return load(dir).corruption().orElse(null);
    } catch (InvalidFileException e) {
      return e.getMessage();
    }
  }

  /** Where the checkpoint of {@code step} is (or would be). */
  public Path pathOf(int step) {
    return directory.resolve(String.format("step-%08d", step));
  }

  /** Writes the checkpoint of {@code state.step()} atomically and prunes old ones. */
  public RunCheckpoint write(Trainer trainer, CheckpointState state) {
    int step = state.step();
    Path target = pathOf(step);
    CheckpointState written;
    try (StagedDirectory staged = StagedDirectory.create(target)) {
      Path partial = staged.path();
      Map<String, long[]> shapes = trainer.trainableShapes();
      Map<String, float[]> masters = trainer.masterValues();
      requireFinite(masters, step);
      writeTensors(partial.resolve(RunCheckpoint.WEIGHTS), shapes, masters, step);
      Map<String, float[]> first = trainer.moments(false);
      Map<String, float[]> second = trainer.moments(true);
      List<TensorSpec> specs = new ArrayList<>();
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        specs.add(new TensorSpec(e.getKey() + RunCheckpoint.EXP_AVG, DType.F32, e.getValue()));
        specs.add(new TensorSpec(e.getKey() + RunCheckpoint.EXP_AVG_SQ, DType.F32, e.getValue()));
      }
      SafetensorsWriter.write(
          partial.resolve(RunCheckpoint.OPTIMIZER),
          specs,
          Map.of("step", Integer.toString(step)),
          tensor ->
              FloatCodec.encode(
                  DType.F32,
                  tensor.endsWith(RunCheckpoint.EXP_AVG_SQ)
                      ? second.get(strip(tensor, RunCheckpoint.EXP_AVG_SQ))
                      : first.get(strip(tensor, RunCheckpoint.EXP_AVG))));
      Map<String, String> checksums = new TreeMap<>();
      for (String file : RunCheckpoint.TENSOR_FILES) {
        checksums.put(file, Sha256.hex(partial.resolve(file)));
      }
      written = state.withSha256(checksums);
      written.write(partial);
      // An existing step-N (left by an interrupted run that got past this step) is replaced.
      staged.publish();
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException(
          "Cannot write checkpoint " + target + ": " + e.getMessage(), e.getCause());
    }
    LOG.info("Checkpoint {} written", target);
    prune();
    return new RunCheckpoint(target, step, written);
  }

  /**
   * Refuses to save weights that are no longer finite: a checkpoint on disk is always one a run can
   * continue from, so rotation never replaces the last good one with a diverged one.
   */
  private void requireFinite(Map<String, float[]> masters, int step) {
    for (Map.Entry<String, float[]> e : masters.entrySet()) {
      for (float v : e.getValue()) {
        if (!Float.isFinite(v)) {
          throw new TrainingDivergedException(
              step,
              "the weights of " + e.getKey() + " hold non-finite values (" + v + ")",
              latest().map(RunCheckpoint::directory).orElse(null));
        }
      }
    }
  }

  private static String strip(String name, String suffix) {
    return name.substring(0, name.length() - suffix.length());
  }

  private static void writeTensors(
      Path file, Map<String, long[]> shapes, Map<String, float[]> values, int step) {
    List<TensorSpec> specs = new ArrayList<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      specs.add(new TensorSpec(e.getKey(), DType.F32, e.getValue()));
    }
    SafetensorsWriter.write(
        file,
        specs,
        Map.of("step", Integer.toString(step)),
        tensor -> FloatCodec.encode(DType.F32, values.get(tensor)));
  }

  private void prune() {
    List<RunCheckpoint> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      try {
        Directories.deleteRecursively(all.get(i).directory());
        LOG.info("Removed old checkpoint {}", all.get(i).directory());
      } catch (IOException e) {
        LOG.warn("Cannot remove old checkpoint {}: {}", all.get(i).directory(), e.toString());
      }
    }
  }
}
