package org.llamapro.train.expand;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code expansion.json}, written next to an expanded model: where it came from, how it was
 * expanded, which blocks are new (what training trains by default), and a SHA-256 of every other
 * file in the directory.
 */
public record ExpansionRecord(
    String source,
    int oldLayers,
    int newLayers,
    Placement placement,
    Initialization init,
    long seed,
    List<Integer> newBlocks,
    List<Integer> blockSources,
    Map<String, FileDigest> files) {
  public static final String FILE_NAME = "expansion.json";
  public static final String FORMAT = "llama-pro-expansion/1";

  /** Size and SHA-256 (hex) of one output file. */
  public record FileDigest(long bytes, String sha256) {}

  public ExpansionRecord {
    newBlocks = List.copyOf(newBlocks);
    blockSources = List.copyOf(blockSources);
    files = Map.copyOf(files);
  }

  public ObjectNode toJson() {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("format", FORMAT);
    json.put("source", source);
    json.put("old_layers", oldLayers);
    json.put("new_layers", newLayers);
    json.put("placement", placement.toString());
    json.put("init", init.toString());
    json.put("seed", seed);
    ArrayNode blocks = json.putArray("new_blocks");
    newBlocks.forEach(blocks::add);
    ArrayNode sources = json.putArray("block_sources");
    blockSources.forEach(sources::add);
    ObjectNode digests = json.putObject("files");
    new TreeMap<>(files)
        .forEach(
            (name, digest) -> {
              ObjectNode entry = digests.putObject(name);
              entry.put("bytes", digest.bytes());
              entry.put("sha256", digest.sha256());
            });
    return json;
  }

  /**
   * Reads {@code expansion.json} from a model directory; a clear error when absent or malformed.
   */
  public static ExpansionRecord read(Path modelDirectory) {
    Path file = modelDirectory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          modelDirectory
              + " has no "
              + FILE_NAME
              + ": it is not the output of `pipeline expand`, so there are no new blocks to train");
    }
    try {
      JsonNode json = new ObjectMapper().readTree(file.toFile());
      if (!FORMAT.equals(json.path("format").asText())) {
        throw new IllegalArgumentException(
            file
                + ": unknown format '"
                + json.path("format").asText()
                + "' (expected "
                + FORMAT
                + ")");
      }
      Map<String, FileDigest> files = new TreeMap<>();
      json.path("files")
          .fields()
          .forEachRemaining(
              e ->
                  files.put(
                      e.getKey(),
                      new FileDigest(
                          e.getValue().path("bytes").asLong(),
                          e.getValue().path("sha256").asText())));
      return new ExpansionRecord(
          json.path("source").asText(),
          requireInt(json, "old_layers", file),
          requireInt(json, "new_layers", file),
          Placement.parse(json.path("placement").asText()),
          Initialization.parse(json.path("init").asText()),
          json.path("seed").asLong(),
          ints(json.path("new_blocks")),
          ints(json.path("block_sources")),
          files);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  private static int requireInt(JsonNode json, String key, Path file) {
    JsonNode node = json.get(key);
    if (node == null || !node.canConvertToInt()) {
      throw new IllegalArgumentException(file + ": missing or invalid '" + key + "'");
    }
    return node.intValue();
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.intValue()));
    return out;
  }
}
