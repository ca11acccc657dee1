package org.llamapro.train.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.llamapro.io.JsonFiles;

/**
 * {@value #FILE_NAME} of a run directory, written once by rank 0 when a run starts and read when it
 * resumes or is exported: the resolved config, the part of it a resumption must share ({@code
 * identity}), the shard table version and tokenizer the run pinned, the model, what learns, and
 * where it computes. Its presence marks a directory as a training run.
 *
 * @param config every {@code train.*} key with its resolved value
 * @param identity the keys that must match when resuming ({@link TrainConfig#identity()})
 * @param data the shard table the run trains on; a resumption reads the same version
 * @param model absolute path of the expanded model
 * @param trainable the trainable set as {@link TrainableSet#describe()} prints it
 * @param trainableTensors the tensors that learn, in model order
 * @param trainableParameters how many weights learn
 * @param device the compute device of rank 0 ({@code cpu()}, {@code gpu(0)})
 * @param dtype {@code float16} or {@code float32}
 * @param created when the run started (ISO-8601)
 */
public record RunFile(
    Map<String, String> config,
    Map<String, String> identity,
    TrainingData.Description data,
    String model,
    String trainable,
    List<String> trainableTensors,
    long trainableParameters,
    String device,
    String dtype,
    String created) {
  public static final String FILE_NAME = "run.json";

  public RunFile {
    config = Map.copyOf(config);
    identity = Map.copyOf(identity);
    trainableTensors = List.copyOf(trainableTensors);
  }

  /** Whether {@code runDirectory} holds a run (the marker {@code --overwrite} looks for). */
  public static boolean exists(Path runDirectory) {
    return Files.isRegularFile(runDirectory.resolve(FILE_NAME));
  }

  /** Reads {@code runDirectory/run.json}. */
  public static RunFile read(Path runDirectory) {
    return JsonFiles.read(runDirectory.resolve(FILE_NAME), RunFile.class, "training run file");
  }

  /** Writes {@code runDirectory/run.json} atomically. */
  public void write(Path runDirectory) {
    try {
      Files.createDirectories(runDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + runDirectory + ": " + e.getMessage(), e);
    }
    JsonFiles.write(runDirectory.resolve(FILE_NAME), this);
  }

  /** The shard table version the run pinned ({@code -1} if it recorded none). */
  public long pinnedVersion() {
    try {
      return Long.parseLong(data.version());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
