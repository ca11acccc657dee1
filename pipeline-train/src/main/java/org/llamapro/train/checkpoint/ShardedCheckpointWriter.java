package org.llamapro.train.checkpoint;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.llamapro.hash.Sha256;
import org.llamapro.io.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes model weights the way {@code transformers}' {@code save_pretrained} does: tensors are
 * packed greedily, in the order added, into shards of at most {@code maxShardBytes} of tensor data
 * (a tensor larger than that gets a shard of its own). One shard is written as {@code
 * model.safetensors}; several as {@code model-00001-of-0000N.safetensors} plus {@code
 * model.safetensors.index.json} ({@code {"metadata": {"total_size": N}, "weight_map": {name:
 * file}}}, keys sorted, indent 2, as Python's {@code json.dumps(..., indent=2, sort_keys=True)}).
 *
 * <p>Each file appears atomically and the index is written last, so a reader never sees an index
 * that points to missing shards. The output directory must not already hold safetensors weights
 * (stale shards from an earlier write would otherwise be mixed in).
 *
 * <pre>{@code
 * ShardedCheckpointWriter.builder()
 *     .setOutputDirectory(out)
 *     .add(spec, source)      // for every tensor, in a stable order
 *     .build()
 *     .write();
 * }</pre>
 */
public final class ShardedCheckpointWriter {
  /** {@code transformers}' default {@code max_shard_size}, "5GB". */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  private static final Logger LOG = LoggerFactory.getLogger(ShardedCheckpointWriter.class);

  private final Path outputDirectory;
  private final long maxShardBytes;
  private final Map<String, String> metadata;
  private final List<TensorSpec> specs;
  private final Map<String, TensorBytesSource> sources;

  private ShardedCheckpointWriter(Builder builder) {
    this.outputDirectory = builder.outputDirectory;
    this.maxShardBytes = builder.maxShardBytes;
    this.metadata = Map.copyOf(builder.metadata);
    this.specs = List.copyOf(builder.specs);
    this.sources = Map.copyOf(builder.sources);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What {@link #write()} produced. */
  /**
   * @param sha256 hex SHA-256 of every file written (shards and index), by file name, computed
   *     while writing
   */
  public record Result(
      List<Path> files,
      Map<String, String> weightMap,
      long totalBytes,
      Map<String, String> sha256) {
    public Result {
      files = List.copyOf(files);
      weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
      sha256 = Collections.unmodifiableMap(new LinkedHashMap<>(sha256));
    }

    /** True when the weights went to one {@code model.safetensors} without an index. */
    public boolean isSingleFile() {
      return files.size() == 1
          && files.get(0).getFileName().toString().equals(HfModelDirectory.SINGLE_FILE);
    }
  }

  /** The shards: consecutive runs of tensors, greedily filled up to the limit. */
  static List<List<TensorSpec>> plan(List<TensorSpec> specs, long maxShardBytes) {
    List<List<TensorSpec>> shards = new ArrayList<>();
    List<TensorSpec> current = new ArrayList<>();
    long currentBytes = 0;
    for (TensorSpec spec : specs) {
      if (!current.isEmpty() && currentBytes + spec.byteLength() > maxShardBytes) {
        shards.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(spec);
      currentBytes += spec.byteLength();
    }
    if (!current.isEmpty() || shards.isEmpty()) {
      shards.add(current);
    }
    return shards;
  }

  static String shardName(int index, int count) {
    return String.format("model-%05d-of-%05d.safetensors", index + 1, count);
  }

  /** Writes the shards, then the index (if more than one shard). */
  public Result write() {
    try {
      Files.createDirectories(outputDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + outputDirectory + ": " + e.getMessage(), e);
    }
    checkNoWeights(outputDirectory);
    List<List<TensorSpec>> shards = plan(specs, maxShardBytes);
    List<Path> files = new ArrayList<>();
    Map<String, String> weightMap = new LinkedHashMap<>();
    Map<String, String> digests = new LinkedHashMap<>();
    long totalBytes = 0;
    for (int i = 0; i < shards.size(); i++) {
      List<TensorSpec> shard = shards.get(i);
      String name = shards.size() == 1 ? HfModelDirectory.SINGLE_FILE : shardName(i, shards.size());
      Path file = outputDirectory.resolve(name);
      long shardBytes = shard.stream().mapToLong(TensorSpec::byteLength).sum();
      LOG.info(
          "Writing {} ({} tensors, {} bytes; shard {} of {})",
          file,
          shard.size(),
          shardBytes,
          i + 1,
          shards.size());
      MessageDigest digest = Sha256.digest();
      SafetensorsWriter.write(
          file, shard, metadata, tensor -> sources.get(tensor).bytes(tensor), digest);
      files.add(file);
      digests.put(file.getFileName().toString(), HexFormat.of().formatHex(digest.digest()));
      for (TensorSpec spec : shard) {
        weightMap.put(spec.name(), name);
      }
      totalBytes += shardBytes;
    }
    if (shards.size() > 1) {
      Path index = outputDirectory.resolve(HfModelDirectory.INDEX);
      byte[] indexBytes = indexJson(totalBytes, weightMap).getBytes(StandardCharsets.UTF_8);
      writeAtomically(index, indexBytes);
      files.add(index);
      digests.put(
          HfModelDirectory.INDEX, HexFormat.of().formatHex(Sha256.digest().digest(indexBytes)));
    }
    return new Result(files, weightMap, totalBytes, digests);
  }

  /** The index as Python writes it: {@code json.dumps(index, indent=2, sort_keys=True) + "\n"}. */
  static String indexJson(long totalBytes, Map<String, String> weightMap) {
    StringBuilder json = new StringBuilder(64 + weightMap.size() * 80);
    json.append("{\n  \"metadata\": {\n    \"total_size\": ").append(totalBytes).append("\n  },\n");
    json.append("  \"weight_map\": {");
    boolean first = true;
    for (Map.Entry<String, String> entry : new TreeMap<>(weightMap).entrySet()) {
      json.append(first ? "\n" : ",\n").append("    ");
      appendPythonString(json, entry.getKey()).append(": ");
      appendPythonString(json, entry.getValue());
      first = false;
    }
    json.append(first ? "}\n}\n" : "\n  }\n}\n");
    return json.toString();
  }

  /** A JSON string as Python's json module writes it by default (ensure_ascii=True). */
  private static StringBuilder appendPythonString(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c)); // UTF-16 units, as Python does
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }

  private static void checkNoWeights(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      List<String> weights =
          entries
              .map(path -> path.getFileName().toString())
              .filter(name -> name.endsWith(".safetensors") || name.equals(HfModelDirectory.INDEX))
              .sorted()
              .toList();
      if (!weights.isEmpty()) {
        throw new IllegalArgumentException(
            "Output directory "
                + dir
                + " already holds weights ("
                + String.join(", ", weights)
                + "); write to a new directory or remove them first");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void writeAtomically(Path file, byte[] content) {
    try {
      AtomicFiles.writeBytes(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Collects the output directory, limits and tensors; {@link #build()} validates them. */
  public static final class Builder {
    private Path outputDirectory;
    private long maxShardBytes = DEFAULT_MAX_SHARD_BYTES;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<TensorSpec> specs = new ArrayList<>();
    private final Map<String, TensorBytesSource> sources = new HashMap<>();

    private Builder() {}

    /** The directory to write to (created if missing); it must not hold safetensors files. */
    public Builder setOutputDirectory(Path outputDirectory) {
      this.outputDirectory = requireNonNull(outputDirectory, "outputDirectory is null");
      return this;
    }

    /** Tensor bytes per shard, at most (default 5 GB = 5,000,000,000). */
    public Builder optMaxShardBytes(long maxShardBytes) {
      this.maxShardBytes = maxShardBytes;
      return this;
    }

    /** Extra {@code __metadata__} entries for every shard ({@code format: pt} is always there). */
    public Builder optMetadata(Map<String, String> metadata) {
      this.metadata.putAll(requireNonNull(metadata, "metadata is null"));
      return this;
    }

    /** Adds a tensor; tensors are written in the order added. */
    public Builder add(TensorSpec spec, TensorBytesSource source) {
      requireNonNull(spec, "spec is null");
      requireNonNull(source, "source is null");
      specs.add(spec);
      sources.putIfAbsent(spec.name(), source);
      return this;
    }

    /** Adds a tensor whose bytes are already in a buffer (little-endian, position to limit). */
    public Builder add(TensorSpec spec, ByteBuffer bytes) {
      requireNonNull(bytes, "bytes is null");
      ByteBuffer view = bytes.duplicate();
      return add(spec, name -> view.duplicate());
    }

    /** Adds every tensor of a model directory, in its order, reading from its mappings. */
    public Builder addAll(HfModelDirectory model) {
      for (String name : model.tensorNames()) {
        add(model.info(name).spec(), model::bytes);
      }
      return this;
    }

    public ShardedCheckpointWriter build() {
      if (outputDirectory == null) {
        throw new IllegalArgumentException("Output directory is not set");
      }
      if (maxShardBytes <= 0) {
        throw new IllegalArgumentException(
            "Invalid max shard bytes: " + maxShardBytes + " (must be > 0)");
      }
      SafetensorsWriter.checkNames(specs); // duplicates, reserved names
      SafetensorsWriter.canonicalMetadata(metadata); // format other than pt, bad text
      return new ShardedCheckpointWriter(this);
    }

    /** {@code build().write()}. */
    public Result write() {
      return build().write();
    }
  }
}
