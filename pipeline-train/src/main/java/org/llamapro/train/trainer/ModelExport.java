package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.llamapro.io.JsonFiles;
import org.llamapro.io.OutputGuard;
import org.llamapro.io.StagedDirectory;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.FloatCodec;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.checkpoint.ShardedCheckpointWriter;
import org.llamapro.train.checkpoint.TensorInfo;
import org.llamapro.train.expand.ExpansionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pipeline export}: merges a run's latest trained blocks into the expanded model it started
 * from and writes a complete Hugging Face model directory (sharded safetensors with their index,
 * config.json, the tokenizer and the other non-weight files, and the {@link ExportRecord}: the run,
 * the step, the trained tensors, the shard table and the expansion record, whose file digests the
 * trained weights no longer match, so {@code expansion.json} itself is not copied). Trained tensors
 * keep the dtype the expanded model stored them in; every other tensor is copied byte for byte. The
 * directory appears atomically: it is built in a {@link StagedDirectory} and renamed.
 *
 * <p>The output never contains and is never inside the run or the model ({@link OutputGuard}); an
 * existing output is replaced only with {@code overwrite} and only when it holds {@value #RECORD}
 * (an earlier export). The checkpoint's checksums are verified first: a corrupt one is refused.
 */
public final class ModelExport {
  public static final String RECORD = ExportRecord.FILE_NAME;
  private static final Logger LOG = LoggerFactory.getLogger(ModelExport.class);

  private ModelExport() {}

  /** What was exported. */
  public record Result(Path output, int step, int trainedTensors, int tensors) {}

  /** Exports into a new (absent or empty) {@code output}. */
  public static Result export(Path runDirectory, Path model, Path output, long maxShardBytes) {
    return export(runDirectory, model, output, maxShardBytes, false);
  }

  /**
   * @param model the expanded model, or null for the one the run recorded
   * @param overwrite replace {@code output} if it is an earlier export (it holds {@value #RECORD});
   *     anything else is refused
   */
  public static Result export(
      Path runDirectory, Path model, Path output, long maxShardBytes, boolean overwrite) {
    requireNonNull(runDirectory, "runDirectory is null");
    requireNonNull(output, "output is null");
    if (!RunFile.exists(runDirectory)) {
      throw new IllegalArgumentException(
          "Not a training run directory: " + runDirectory + " has no " + RunFile.FILE_NAME);
    }
    RunFile run = RunFile.read(runDirectory);
    Path modelDirectory = model != null ? model : Path.of(run.model());
    Map<String, Path> inputs = new LinkedHashMap<>();
    inputs.put("--run", runDirectory);
    inputs.put("--model", modelDirectory);
    OutputGuard.requireDisjoint(output, inputs);
    OutputGuard.requireReplaceable(output, overwrite, RECORD);
    RunCheckpoint checkpoint =
        new CheckpointStore(runDirectory, 1)
            .latestVerified()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Run " + runDirectory + " has no complete checkpoint to export"));
    Map<String, float[]> trained = checkpoint.readWeights();
    try (HfModelDirectory base = HfModelDirectory.open(modelDirectory)) {
      checkFits(checkpoint, trained, base);
      try (StagedDirectory staged = StagedDirectory.create(output)) {
        writeModel(staged.path(), base, trained, maxShardBytes);
        new ExportRecord(
                runDirectory.toAbsolutePath().normalize().toString(),
                checkpoint.step(),
                modelDirectory.toAbsolutePath().normalize().toString(),
                List.copyOf(trained.keySet()),
                run.data(),
                expansionRecord(modelDirectory))
            .write(staged.path());
        staged.publish();
      }
      LOG.info(
          "Exported step {} of {} ({} trained tensors) to {}",
          checkpoint.step(),
          runDirectory,
          trained.size(),
          output);
      return new Result(output, checkpoint.step(), trained.size(), base.tensorNames().size());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot export to " + output + ": " + e.getMessage(), e);
    }
  }

  /** Every trained tensor exists in the base model with as many values. */
  private static void checkFits(
      RunCheckpoint checkpoint, Map<String, float[]> trained, HfModelDirectory base) {
    for (Map.Entry<String, float[]> e : trained.entrySet()) {
      if (!base.tensorNames().contains(e.getKey())) {
        throw new IllegalArgumentException(
            "Checkpoint "
                + checkpoint.directory()
                + " holds "
                + e.getKey()
                + ", which model "
                + base.directory()
                + " does not have");
      }
      long numel = base.info(e.getKey()).numel();
      if (numel != e.getValue().length) {
        throw new IllegalArgumentException(
            "Checkpoint tensor "
                + e.getKey()
                + " has "
                + e.getValue().length
                + " values but the model's has shape "
                + Arrays.toString(base.info(e.getKey()).shape()));
      }
    }
  }

  /** The merged weights, config.json and the base model's other non-weight files. */
  private static void writeModel(
      Path directory, HfModelDirectory base, Map<String, float[]> trained, long maxShardBytes)
      throws IOException {
    ShardedCheckpointWriter.Builder writer =
        ShardedCheckpointWriter.builder()
            .setOutputDirectory(directory)
            .optMaxShardBytes(maxShardBytes);
    for (String name : base.tensorNames()) {
      TensorInfo info = base.info(name);
      float[] values = trained.get(name);
      if (values == null) {
        writer.add(info.spec(), base::bytes);
      } else {
        DType dtype = info.dtype();
        writer.add(info.spec(), FloatCodec.encode(dtype, values));
      }
    }
    writer.write();
    Files.copy(
        base.directory().resolve(HfModelDirectory.CONFIG),
        directory.resolve(HfModelDirectory.CONFIG));
    for (Path file : base.nonWeightFiles()) {
      // expansion.json lists digests of the expanded model's files, which the trained weights
      // no longer match; its content moves into the export record instead.
      if (!file.getFileName().toString().equals(ExpansionRecord.FILE_NAME)) {
        Files.copy(file, directory.resolve(file.getFileName().toString()));
      }
    }
  }

  /** The expanded model's expansion.json as it is, or null when it has none. */
  private static JsonNode expansionRecord(Path modelDirectory) {
    Path expansion = modelDirectory.resolve(ExpansionRecord.FILE_NAME);
    return Files.isRegularFile(expansion)
        ? JsonFiles.read(expansion, JsonNode.class, "expansion record")
        : null;
  }
}
