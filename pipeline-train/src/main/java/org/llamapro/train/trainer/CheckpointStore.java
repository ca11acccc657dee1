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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.llamapro.io.Directories;
import org.llamapro.io.StagedDirectory;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.FloatCodec;
import org.llamapro.train.checkpoint.SafetensorsWriter;
import org.llamapro.train.checkpoint.TensorSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of a run under {@code RUN_DIR/checkpoints}. A checkpoint is written into a hidden
 * staging directory ({@link StagedDirectory}) and moved to {@code step-N} in one atomic rename: a
 * directory named {@code step-N} is always complete, and nothing else is ever read. After each
 * write only the newest {@code keep} are kept.
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
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    List<RunCheckpoint> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path entry : entries.toList()) {
        Matcher m = NAME.matcher(entry.getFileName().toString());
        if (m.matches() && Files.isRegularFile(entry.resolve(RunCheckpoint.STATE))) {
          found.add(
              new RunCheckpoint(entry, Integer.parseInt(m.group(1)), CheckpointState.read(entry)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + directory + ": " + e.getMessage(), e);
    }
    found.sort(Comparator.comparingInt(RunCheckpoint::step));
    return found;
  }

  public Optional<RunCheckpoint> latest() {
    List<RunCheckpoint> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Writes the checkpoint of {@code state.step()} atomically and prunes old ones. */
  public RunCheckpoint write(Trainer trainer, CheckpointState state) {
    int step = state.step();
    Path target = directory.resolve(String.format("step-%08d", step));
    try (StagedDirectory staged = StagedDirectory.create(target)) {
      Path partial = staged.path();
      Map<String, long[]> shapes = trainer.trainableShapes();
      writeTensors(partial.resolve(RunCheckpoint.WEIGHTS), shapes, trainer.masterValues(), step);
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
      state.write(partial);
      // An existing step-N (left by an interrupted run that got past this step) is replaced.
      staged.publish();
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException(
          "Cannot write checkpoint " + target + ": " + e.getMessage(), e.getCause());
    }
    LOG.info("Checkpoint {} written", target);
    prune();
    return new RunCheckpoint(target, step, state);
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
