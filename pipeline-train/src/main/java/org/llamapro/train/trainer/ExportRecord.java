package org.llamapro.train.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.llamapro.io.JsonFiles;

/**
 * {@value #FILE_NAME} of an exported model: which run and step it holds, the model it was merged
 * into, which tensors were trained, the shard table the run trained on, and the expanded model's
 * {@code expansion.json} verbatim ({@code null} when the model had none). Its presence marks a
 * directory as an export (the marker {@code export --overwrite} looks for).
 *
 * @param run absolute path of the run directory
 * @param step the checkpoint step exported
 * @param baseModel absolute path of the expanded model the weights were merged into
 * @param trainedTensors the tensors taken from the checkpoint
 * @param data the shard table the run trained on
 * @param expansion the base model's expansion record, or null
 */
public record ExportRecord(
    String run,
    int step,
    String baseModel,
    List<String> trainedTensors,
    TrainingData.Description data,
    JsonNode expansion) {
  public static final String FILE_NAME = "training.json";

  public ExportRecord {
    trainedTensors = List.copyOf(trainedTensors);
    if (expansion != null && expansion.isNull()) {
      expansion = null; // "expansion": null reads back as a NullNode
    }
  }

  public static boolean exists(Path directory) {
    return Files.isRegularFile(directory.resolve(FILE_NAME));
  }

  /** Reads {@code directory/training.json}. */
  public static ExportRecord read(Path directory) {
    return JsonFiles.read(directory.resolve(FILE_NAME), ExportRecord.class, "export record");
  }

  /** Writes {@code directory/training.json} atomically. */
  public void write(Path directory) {
    JsonFiles.write(directory.resolve(FILE_NAME), this);
  }
}
