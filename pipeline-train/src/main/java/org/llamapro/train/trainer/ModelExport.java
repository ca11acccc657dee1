package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import org.llamapro.io.Directories;
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
 * config.json, the tokenizer and the other non-weight files, and {@value #RECORD}: the run, the
 * step, the trained tensors, the shard table and the expansion record, whose file digests the
 * trained weights no longer match, so {@code expansion.json} itself is not copied). Trained tensors
 * keep the dtype the expanded model stored them in; every other tensor is copied byte for byte. The
 * directory appears atomically: it is built under a hidden name and renamed.
 */
public final class ModelExport {
  public static final String RECORD = "training.json";
  private static final Logger LOG = LoggerFactory.getLogger(ModelExport.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelExport() {}

  /** What was exported. */
  public record Result(Path output, int step, int trainedTensors, int tensors) {}

  /**
   * @param model the expanded model, or null for the one the run recorded
   */
  public static Result export(Path runDirectory, Path model, Path output, long maxShardBytes) {
    requireNonNull(runDirectory, "runDirectory is null");
    requireNonNull(output, "output is null");
    Path runFile = runDirectory.resolve(TrainingRun.RUN_FILE);
    if (!Files.isRegularFile(runFile)) {
      throw new IllegalArgumentException(
          "Not a training run directory: " + runDirectory + " has no " + TrainingRun.RUN_FILE);
    }
    JsonNode run = TrainingRun.readJson(runFile);
    Path modelDirectory = model != null ? model : Path.of(run.path("model").asText());
    RunCheckpoint checkpoint =
        new CheckpointStore(runDirectory, 1)
            .latest()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Run " + runDirectory + " has no complete checkpoint to export"));
    if (Files.exists(output) && !isEmptyDirectory(output)) {
      throw new IllegalArgumentException(
          "Output " + output + " already exists and is not empty; choose a new directory");
    }
    Map<String, float[]> trained = checkpoint.readWeights();
    Path partial = output.toAbsolutePath().resolveSibling("." + output.getFileName() + ".partial");
    try (HfModelDirectory base = HfModelDirectory.open(modelDirectory)) {
      for (Map.Entry<String, float[]> e : trained.entrySet()) {
        if (!base.tensorNames().contains(e.getKey())) {
          throw new IllegalArgumentException(
              "Checkpoint "
                  + checkpoint.directory()
                  + " holds "
                  + e.getKey()
                  + ", which model "
                  + modelDirectory
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
      Directories.deleteRecursively(partial);
      ShardedCheckpointWriter.Builder writer =
          ShardedCheckpointWriter.builder()
              .setOutputDirectory(partial)
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
          modelDirectory.resolve(HfModelDirectory.CONFIG),
          partial.resolve(HfModelDirectory.CONFIG));
      for (Path file : base.nonWeightFiles()) {
        // expansion.json lists digests of the expanded model's files, which the trained weights
        // no longer match; its content moves into training.json instead.
        if (!file.getFileName().toString().equals(ExpansionRecord.FILE_NAME)) {
          Files.copy(file, partial.resolve(file.getFileName().toString()));
        }
      }
      ObjectNode record = JSON.createObjectNode();
      record.put("run", runDirectory.toAbsolutePath().normalize().toString());
      record.put("step", checkpoint.step());
      record.put("base_model", modelDirectory.toAbsolutePath().normalize().toString());
      trained.keySet().forEach(record.putArray("trained_tensors")::add);
      record.set("data", run.path("data"));
      Path expansion = modelDirectory.resolve(ExpansionRecord.FILE_NAME);
      if (Files.isRegularFile(expansion)) {
        record.set("expansion", JSON.readTree(expansion.toFile()));
      }
      Files.write(
          partial.resolve(RECORD), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
      if (Files.exists(output)) {
        Files.delete(output); // empty, checked above
      }
      Files.createDirectories(output.toAbsolutePath().getParent());
      Files.move(partial, output, StandardCopyOption.ATOMIC_MOVE);
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

  private static boolean isEmptyDirectory(Path path) {
    try (var entries = Files.list(path)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }
}
