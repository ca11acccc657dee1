package org.llamapro.train.trainer;

import java.nio.file.Path;
import java.util.Map;
import org.llamapro.io.JsonFiles;

/**
 * {@value #FILE_NAME} of a checkpoint: everything besides the tensors that a resumed run needs to
 * continue bit for bit, and what the run was when it wrote it.
 *
 * @param optimizerUpdates AdamW updates applied so far (skipped steps do not count)
 * @param lossScale the F16 loss scale (1 with F32 compute)
 * @param lossScaleCleanSteps clean steps since the loss scale last changed
 * @param dataCursor where the row stream stands
 * @param rng the seed of the data order (with the cursor, the only randomness)
 * @param data the shard table the run trains on
 * @param worldSize workers of the run that wrote it
 * @param config every {@code train.*} key with its resolved value
 * @param step the optimizer step this checkpoint ends
 * @param sha256 SHA-256 (hex) of each tensor file of the checkpoint, checked before it is used
 */
public record CheckpointState(
    long optimizerUpdates,
    double lossScale,
    int lossScaleCleanSteps,
    DataCursor dataCursor,
    Rng rng,
    TrainingData.Description data,
    int worldSize,
    Map<String, String> config,
    int step,
    Map<String, String> sha256) {
  public static final String FILE_NAME = "state.json";

  /** The seed of the run's data order. */
  public record Rng(long seed) {}

  public CheckpointState {
    config = Map.copyOf(config);
    sha256 = Map.copyOf(sha256);
  }

  /** This state with the checksums of the checkpoint's files. */
  public CheckpointState withSha256(Map<String, String> checksums) {
    return new CheckpointState(
        optimizerUpdates,
        lossScale,
        lossScaleCleanSteps,
        dataCursor,
        rng,
        data,
        worldSize,
        config,
        step,
        checksums);
  }

  /** Reads {@code checkpoint/state.json}. */
  public static CheckpointState read(Path checkpoint) {
    return JsonFiles.read(checkpoint.resolve(FILE_NAME), CheckpointState.class, "checkpoint state");
  }

  /** Writes {@code checkpoint/state.json} atomically. */
  public void write(Path checkpoint) {
    JsonFiles.write(checkpoint.resolve(FILE_NAME), this);
  }
}
