package org.llamapro.train.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code pipeline expand} recorded in {@code expansion.json} next to the expanded model: the
 * block counts before and after, and the indices of the blocks it inserted (the ones that train by
 * default).
 */
public record ExpansionRecord(
    String source, int oldLayers, int newLayers, List<Integer> newBlocks) {
  public static final String FILE_NAME = "expansion.json";

  public ExpansionRecord {
    newBlocks = List.copyOf(newBlocks);
  }

  /** True when {@code modelDirectory} holds an expansion record. */
  public static boolean exists(Path modelDirectory) {
    return Files.isRegularFile(modelDirectory.resolve(FILE_NAME));
  }

  /**
   * Reads and checks the record of {@code modelDirectory}.
   *
   * @throws IllegalArgumentException when it is missing or malformed, naming the file
   */
  public static ExpansionRecord read(Path modelDirectory) {
    Path file = modelDirectory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "Model "
              + modelDirectory
              + " has no "
              + FILE_NAME
              + ": it is not the output of 'pipeline expand', so there are no new blocks to train"
              + " by default; expand it first, or pass --trainable all or a list of block indices");
    }
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object");
    }
    int oldLayers = integer(json, "old_layers", file);
    int newLayers = integer(json, "new_layers", file);
    JsonNode blocks = json.get("new_blocks");
    if (blocks == null || !blocks.isArray()) {
      throw new IllegalArgumentException(file + ": missing array 'new_blocks'");
    }
    List<Integer> indices = new ArrayList<>();
    for (JsonNode block : blocks) {
      if (!block.isIntegralNumber() || block.intValue() < 0 || block.intValue() >= newLayers) {
        throw new IllegalArgumentException(
            file
                + ": new_blocks entry "
                + block
                + " is not a block index in [0, "
                + newLayers
                + ")");
      }
      indices.add(block.intValue());
    }
    return new ExpansionRecord(json.path("source").asText(""), oldLayers, newLayers, indices);
  }

  private static int integer(JsonNode json, String key, Path file) {
    JsonNode node = json.get(key);
    if (node == null || !node.isIntegralNumber()) {
      throw new IllegalArgumentException(file + ": missing integer '" + key + "'");
    }
    return node.intValue();
  }
}
