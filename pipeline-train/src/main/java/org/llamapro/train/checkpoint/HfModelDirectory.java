package org.llamapro.train.checkpoint;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A Hugging Face model directory: {@code config.json} plus either one {@code model.safetensors} or
 * a {@code model.safetensors.index.json} whose {@code weight_map} names the shard of every tensor.
 * Shards are memory-mapped ({@link SafetensorsFile}); nothing is copied onto the heap.
 *
 * <p>Pickle checkpoints ({@code pytorch_model.bin}, {@code *.pt}, ...) are refused, never
 * unpickled: unpickling runs code from the file.
 */
public final class HfModelDirectory implements AutoCloseable {
  public static final String CONFIG = "config.json";
  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX = "model.safetensors.index.json";

  /** Weight files of any framework; none of them is copied as a "non-weight" file. */
  private static final List<String> WEIGHT_SUFFIXES =
      List.of(".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".gguf");

  private static final List<String> PICKLE_SUFFIXES = List.of(".bin", ".pt", ".pth", ".ckpt");

  private final Path directory;
  private final ObjectNode config;
  private final List<SafetensorsFile> files; // in shard order
  private final Map<String, SafetensorsFile> fileByTensor; // in shard order, then file order
  private final List<Path> nonWeightFiles;
  private final Path weightsFile; // model.safetensors or the index

  private HfModelDirectory(
      Path directory,
      Path weightsFile,
      ObjectNode config,
      List<SafetensorsFile> files,
      Map<String, SafetensorsFile> fileByTensor,
      List<Path> nonWeightFiles) {
    this.directory = directory;
    this.weightsFile = weightsFile;
    this.config = config;
    this.files = files;
    this.fileByTensor = fileByTensor;
    this.nonWeightFiles = nonWeightFiles;
  }

  /**
   * Opens a model directory and validates every weight file's header and the index.
   *
   * @throws InvalidCheckpointException for a missing or malformed file (named in the message)
   */
  public static HfModelDirectory open(Path dir) {
    requireNonNull(dir, "dir is null");
    if (!Files.isDirectory(dir)) {
      throw new InvalidCheckpointException(dir + ": not a directory");
    }
    List<Path> entries = list(dir);
    Path single = dir.resolve(SINGLE_FILE);
    Path index = dir.resolve(INDEX);
    boolean hasSingle = Files.exists(single);
    boolean hasIndex = Files.exists(index);
    if (!hasSingle && !hasIndex) {
      throw noSafetensors(dir, entries);
    }
    if (hasSingle && hasIndex) {
      throw new InvalidCheckpointException(
          dir + ": has both " + SINGLE_FILE + " and " + INDEX + "; remove the one that is stale");
    }
    Path configFile = dir.resolve(CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new InvalidCheckpointException(
          dir + ": no " + CONFIG + " (a Hugging Face model directory needs its config)");
    }
    ObjectNode config = readJsonObject(configFile);

    List<SafetensorsFile> files = new ArrayList<>();
    try {
      Map<String, SafetensorsFile> fileByTensor =
          hasSingle ? openSingle(single, files) : openSharded(dir, index, files);
      List<Path> others = new ArrayList<>();
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (Files.isRegularFile(entry)
            && !name.startsWith(".")
            && !name.equals(CONFIG)
            && !isWeightFile(name)) {
          others.add(entry);
        }
      }
      return new HfModelDirectory(
          dir,
          hasSingle ? single : index,
          config,
          Collections.unmodifiableList(files),
          Collections.unmodifiableMap(fileByTensor),
          Collections.unmodifiableList(others));
    } catch (RuntimeException | Error e) {
      for (SafetensorsFile file : files) {
        try {
          file.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static Map<String, SafetensorsFile> openSingle(Path single, List<SafetensorsFile> files) {
    SafetensorsFile file = SafetensorsFile.open(single);
    files.add(file);
    Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    for (TensorInfo tensor : file.tensors()) {
      byTensor.put(tensor.name(), file);
    }
    return byTensor;
  }

  private static Map<String, SafetensorsFile> openSharded(
      Path dir, Path index, List<SafetensorsFile> files) {
    ObjectNode root = readJsonObject(index);
    JsonNode weightMap = root.get("weight_map");
    if (weightMap == null || !weightMap.isObject()) {
      throw new InvalidCheckpointException(index + ": no \"weight_map\" object");
    }
    // Shard file name -> tensors the index puts there, shards in first-mention order.
    Map<String, Set<String>> listed = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      JsonNode shard = entry.getValue();
      if (!shard.isTextual()) {
        throw new InvalidCheckpointException(
            index + ": weight_map entry '" + entry.getKey() + "' is not a file name: " + shard);
      }
      String shardName = shard.textValue();
      if (shardName.isEmpty()
          || shardName.contains("/")
          || shardName.contains("\\")
          || shardName.equals(".")
          || shardName.equals("..")
          || !shardName.endsWith(".safetensors")) {
        throw new InvalidCheckpointException(
            index
                + ": weight_map entry '"
                + entry.getKey()
                + "' points to '"
                + shardName
                + "' (expected a .safetensors file name in the same directory)");
      }
      listed.computeIfAbsent(shardName, k -> new LinkedHashSet<>()).add(entry.getKey());
    }
    for (String shardName : listed.keySet()) {
      if (!Files.isRegularFile(dir.resolve(shardName))) {
        throw new InvalidCheckpointException(
            index + ": weight_map references " + shardName + ", which does not exist in " + dir);
      }
    }
    // Sort shards by name: model-00001-of-00003 ... regardless of the index's key order.
    Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    for (String shardName : new TreeMap<>(listed).keySet()) {
      SafetensorsFile file = SafetensorsFile.open(dir.resolve(shardName));
      files.add(file);
      Set<String> expected = listed.get(shardName);
      for (TensorInfo tensor : file.tensors()) {
        SafetensorsFile other = byTensor.putIfAbsent(tensor.name(), file);
        if (other != null) {
          throw new InvalidCheckpointException(
              dir
                  + ": tensor '"
                  + tensor.name()
                  + "' is in two shards: "
                  + other.path().getFileName()
                  + " and "
                  + shardName);
        }
        if (!expected.contains(tensor.name())) {
          throw new InvalidCheckpointException(
              file.path()
                  + ": holds tensor '"
                  + tensor.name()
                  + "', which "
                  + INDEX
                  + " does not map to this shard");
        }
      }
      for (String name : expected) {
        if (file.tensor(name).isEmpty()) {
          throw new InvalidCheckpointException(
              index
                  + ": weight_map puts tensor '"
                  + name
                  + "' in "
                  + shardName
                  + ", which does not contain it");
        }
      }
    }
    return byTensor;
  }

  private static InvalidCheckpointException noSafetensors(Path dir, List<Path> entries) {
    List<String> pickles = new ArrayList<>();
    for (Path entry : entries) {
      String name = entry.getFileName().toString();
      if (hasSuffix(name, PICKLE_SUFFIXES)) {
        pickles.add(name);
      }
    }
    if (!pickles.isEmpty()) {
      return new InvalidCheckpointException(
          dir
              + ": holds only pickle weights ("
              + String.join(", ", pickles)
              + "), which are refused: loading a pickle runs code from the file. Convert the"
              + " model to safetensors first, e.g. in Python with transformers:"
              + " AutoModelForCausalLM.from_pretrained(dir).save_pretrained(out,"
              + " safe_serialization=True)");
    }
    return new InvalidCheckpointException(
        dir + ": no " + SINGLE_FILE + " or " + INDEX + " (not a safetensors model directory)");
  }

  private static boolean isWeightFile(String name) {
    return hasSuffix(name, WEIGHT_SUFFIXES) || name.endsWith(".index.json");
  }

  private static boolean hasSuffix(String name, List<String> suffixes) {
    String lower = name.toLowerCase(Locale.ROOT);
    return suffixes.stream().anyMatch(lower::endsWith);
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> stream = Files.list(dir)) {
      return stream.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static ObjectNode readJsonObject(Path file) {
    JsonNode node;
    try {
      node = SafetensorsHeader.STRICT_JSON.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new InvalidCheckpointException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new InvalidCheckpointException(file + ": not a JSON object");
    }
    return (ObjectNode) node;
  }

  /** The directory this was opened from. */
  public Path directory() {
    return directory;
  }

  /** {@code model.safetensors}, or the index of a sharded model: where every tensor is listed. */
  public Path weightsFile() {
    return weightsFile;
  }

  /** {@code config.json} as parsed JSON; a copy the caller may change. */
  public ObjectNode config() {
    return config.deepCopy();
  }

  /** All tensor names: shards in name order, tensors in file order within a shard. */
  public Set<String> tensorNames() {
    return fileByTensor.keySet();
  }

  /** The weight files, in shard order. */
  public List<SafetensorsFile> files() {
    return files;
  }

  public TensorInfo info(String name) {
    return fileOf(name).info(name);
  }

  /** The shard that holds the tensor. */
  public SafetensorsFile fileOf(String name) {
    requireNonNull(name, "name is null");
    SafetensorsFile file = fileByTensor.get(name);
    if (file == null) {
      throw new IllegalArgumentException(
          directory + ": no tensor '" + name + "' (the model has " + fileByTensor.size() + ")");
    }
    return file;
  }

  /** See {@link SafetensorsFile#readFloats(String)}. */
  public float[] readFloats(String name) {
    return fileOf(name).readFloats(name);
  }

  /** See {@link SafetensorsFile#readFloats(String, FloatBuffer)}. */
  public void readFloats(String name, FloatBuffer out) {
    fileOf(name).readFloats(name, out);
  }

  /** See {@link SafetensorsFile#bytes(String)}. */
  public ByteBuffer bytes(String name) {
    return fileOf(name).bytes(name);
  }

  /** Sum of all tensors' byte lengths (the index's {@code total_size}). */
  public long totalBytes() {
    return files.stream().mapToLong(SafetensorsFile::dataLength).sum();
  }

  /**
   * The top-level files that are neither weights (of any framework, or their index) nor {@code
   * config.json}: tokenizer.json, tokenizer_config.json, generation_config.json, README.md, ...
   * Hidden files and subdirectories are left out. Sorted by name.
   */
  public List<Path> nonWeightFiles() {
    return nonWeightFiles;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (SafetensorsFile file : files) {
      try {
        file.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "HfModelDirectory[" + directory + ", " + files.size() + " weight files]";
  }
}
