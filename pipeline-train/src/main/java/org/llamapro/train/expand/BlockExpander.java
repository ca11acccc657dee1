package org.llamapro.train.expand;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.llamapro.hash.Sha256;
import org.llamapro.io.Directories;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.checkpoint.ShardedCheckpointWriter;
import org.llamapro.train.checkpoint.TensorInfo;
import org.llamapro.train.checkpoint.TensorSpec;
import org.llamapro.train.model.InitializedWeights;
import org.llamapro.train.model.PretrainedModels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LLaMA Pro block expansion, streaming: each output tensor is written straight from the
 * memory-mapped input (or from one reused zero or random buffer), so the heap stays small whatever
 * the model's size. Tensors keep their dtype and bytes. Blocks are matched by name ({@code
 * <prefix>.layers.<i>.<rest>}), so every tensor of a block is carried along, whatever the
 * architecture calls it.
 *
 * <p>The output is written into a temporary sibling directory and renamed into place at the end: it
 * appears complete or not at all.
 */
public final class BlockExpander {
  private static final Logger LOG = LoggerFactory.getLogger(BlockExpander.class);
  private static final Pattern LAYER = Pattern.compile("^(.*\\.layers\\.)(\\d+)\\.(.+)$");

  /** The residual-branch outputs whose zeroing makes a copy an identity block. */
  private static final Pattern ZEROED =
      Pattern.compile("(^|\\.)(o_proj|down_proj)\\.(weight|bias)$");

  /** What to expand and how. */
  public record Request(
      Path input,
      Path output,
      int layers,
      Placement placement,
      Initialization init,
      long seed,
      long maxShardBytes,
      boolean overwrite) {
    public Request {
      requireNonNull(input, "input is null");
      requireNonNull(output, "output is null");
      requireNonNull(placement, "placement is null");
      requireNonNull(init, "init is null");
      if (maxShardBytes <= 0) {
        throw new IllegalArgumentException(
            "Invalid shard size: " + maxShardBytes + " (must be > 0)");
      }
    }
  }

  private BlockExpander() {}

  public static ExpansionRecord expand(Request request) {
    Path output = request.output().toAbsolutePath().normalize();
    Path input = request.input().toAbsolutePath().normalize();
    if (output.equals(input)) {
      throw new IllegalArgumentException("--output must differ from --model: " + output);
    }
    if (Files.exists(output) && !request.overwrite() && !isEmptyDirectory(output)) {
      throw new IllegalArgumentException(
          "Output directory exists and is not empty: "
              + output
              + " (use --overwrite to replace it)");
    }
    long started = System.nanoTime();
    Path staging =
        output.resolveSibling(
            "."
                + output.getFileName()
                + ".tmp-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    try (HfModelDirectory model = HfModelDirectory.open(input)) {
      ObjectNode config = model.config();
      int oldLayers = config.path("num_hidden_layers").asInt(-1);
      if (oldLayers <= 0) {
        throw new IllegalArgumentException(
            input.resolve(HfModelDirectory.CONFIG) + ": missing or invalid num_hidden_layers");
      }
      ExpansionPlan plan = ExpansionPlan.of(oldLayers, request.layers(), request.placement());
      Map<Integer, List<String>> blocks = blockTensors(model, oldLayers, input);
      List<String> others = new ArrayList<>();
      for (String name : model.tensorNames()) {
        if (!LAYER.matcher(name).matches()) {
          others.add(name);
        }
      }
      others.sort(Comparator.naturalOrder());
      double initializerRange = config.path("initializer_range").asDouble(0.02);

      Files.createDirectories(staging);
      ReusableBuffers buffers =
          new ReusableBuffers(maxZeroedBytes(model, blocks, plan, request.init()));
      Progress progress = new Progress(plannedBytes(model, blocks, plan, others));
      ShardedCheckpointWriter.Builder writer =
          ShardedCheckpointWriter.builder()
              .setOutputDirectory(staging)
              .optMaxShardBytes(request.maxShardBytes());
      // Embeddings (and whatever else sorts before the blocks) first, as transformers orders them.
      for (String name : others) {
        if (name.contains("embed")) {
          writer.add(model.info(name).spec(), n -> progress.count(name, model.bytes(n)));
        }
      }
      for (int layer = 0; layer < plan.newLayers(); layer++) {
        int source = plan.sources().get(layer);
        boolean added = plan.added().get(layer);
        for (String name : blocks.get(source)) {
          Matcher m = LAYER.matcher(name);
          m.matches();
          String renamed = m.group(1) + layer + "." + m.group(3);
          TensorInfo info = model.info(name);
          TensorSpec spec = new TensorSpec(renamed, info.dtype(), info.shape());
          if (!added || request.init() == Initialization.COPY) {
            writer.add(spec, n -> progress.count(n, model.bytes(name)));
          } else if (request.init() == Initialization.IDENTITY) {
            if (ZEROED.matcher(m.group(3)).find()) {
              writer.add(spec, n -> progress.count(n, buffers.zeros(info.byteLength())));
            } else {
              writer.add(spec, n -> progress.count(n, model.bytes(name)));
            }
          } else {
            writer.add(
                spec,
                n ->
                    progress.count(
                        n, buffers.random(info, renamed, request.seed(), initializerRange)));
          }
        }
      }
      for (String name : others) {
        if (!name.contains("embed")) {
          writer.add(model.info(name).spec(), n -> progress.count(name, model.bytes(n)));
        }
      }
      ShardedCheckpointWriter.Result written = writer.write();

      config.put("num_hidden_layers", plan.newLayers());
      PretrainedModels.writeJson(staging.resolve(HfModelDirectory.CONFIG), config);
      for (Path file : model.nonWeightFiles()) {
        copyNonWeightFile(input, file, staging);
      }
      ExpansionRecord record =
          new ExpansionRecord(
              input.toString(),
              oldLayers,
              plan.newLayers(),
              plan.placement(),
              request.init(),
              request.seed(),
              plan.newBlockIndices(),
              plan.sources(),
              digests(staging, written.sha256()));
      PretrainedModels.writeJson(staging.resolve(ExpansionRecord.FILE_NAME), record.toJson());
      publish(staging, output, request.overwrite());
      double seconds = (System.nanoTime() - started) / 1e9;
      LOG.info(
          "Expanded {} -> {} blocks ({}, {}): new blocks {}; wrote {} in {} file(s) in {} s ({} MB/s) to {}",
          oldLayers,
          plan.newLayers(),
          plan.placement(),
          request.init(),
          plan.newBlockIndices(),
          Progress.human(written.totalBytes()),
          written.files().size(),
          String.format(Locale.ROOT, "%.1f", seconds),
          String.format(Locale.ROOT, "%.0f", written.totalBytes() / 1e6 / Math.max(seconds, 1e-9)),
          output);
      return record;
    } catch (IOException e) {
      deleteQuietly(staging);
      throw new UncheckedIOException(
          "Expansion failed; nothing was written to " + output + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(staging);
      throw e;
    }
  }

  /** Block index -> its tensor names (sorted), checking the blocks are exactly 0..layers-1. */
  private static Map<Integer, List<String>> blockTensors(
      HfModelDirectory model, int layers, Path input) {
    Map<Integer, List<String>> blocks = new TreeMap<>();
    for (String name : model.tensorNames()) {
      Matcher m = LAYER.matcher(name);
      if (m.matches()) {
        blocks.computeIfAbsent(Integer.parseInt(m.group(2)), k -> new ArrayList<>()).add(name);
      }
    }
    for (int i = 0; i < layers; i++) {
      if (!blocks.containsKey(i)) {
        throw new IllegalArgumentException(
            input
                + ": config.json says "
                + layers
                + " blocks but the checkpoint has no tensors for block "
                + i);
      }
    }
    if (blocks.size() != layers) {
      throw new IllegalArgumentException(
          input
              + ": config.json says "
              + layers
              + " blocks but the checkpoint has tensors for blocks "
              + blocks.keySet());
    }
    blocks.values().forEach(list -> list.sort(Comparator.naturalOrder()));
    return blocks;
  }

  private static long plannedBytes(
      HfModelDirectory model,
      Map<Integer, List<String>> blocks,
      ExpansionPlan plan,
      List<String> others) {
    long total = 0;
    for (String name : others) {
      total += model.info(name).byteLength();
    }
    for (int source : plan.sources()) {
      for (String name : blocks.get(source)) {
        total += model.info(name).byteLength();
      }
    }
    return total;
  }

  private static long maxZeroedBytes(
      HfModelDirectory model,
      Map<Integer, List<String>> blocks,
      ExpansionPlan plan,
      Initialization init) {
    long max = 0;
    for (int layer = 0; layer < plan.newLayers(); layer++) {
      if (!plan.added().get(layer)) {
        continue;
      }
      for (String name : blocks.get(plan.sources().get(layer))) {
        boolean generated =
            init == Initialization.RANDOM
                || init == Initialization.IDENTITY && ZEROED.matcher(name).find();
        if (generated) {
          max = Math.max(max, model.info(name).byteLength());
        }
      }
    }
    return max;
  }

  private static void copyNonWeightFile(Path input, Path file, Path staging) throws IOException {
    Path relative = input.relativize(file.toAbsolutePath().normalize());
    if (relative.toString().equals(ExpansionRecord.FILE_NAME)) {
      return; // a re-expanded model gets a new record
    }
    Path target = staging.resolve(relative.toString());
    Files.createDirectories(target.getParent());
    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
  }

  /** Every file's size and SHA-256; weight files reuse the digests computed while writing. */
  private static Map<String, ExpansionRecord.FileDigest> digests(
      Path directory, Map<String, String> known) throws IOException {
    Map<String, ExpansionRecord.FileDigest> digests = new TreeMap<>();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = directory.relativize(file).toString();
        String sha = known.containsKey(name) ? known.get(name) : Sha256.hex(file);
        digests.put(name, new ExpansionRecord.FileDigest(Files.size(file), sha));
      }
    }
    return digests;
  }

  /** Moves the finished staging directory into place, replacing an old output only at the end. */
  private static void publish(Path staging, Path output, boolean overwrite) throws IOException {
    Path previous = null;
    if (Files.exists(output)) {
      if (!overwrite && !isEmptyDirectory(output)) {
        throw new IllegalArgumentException("Output directory appeared while expanding: " + output);
      }
      previous =
          output.resolveSibling(
              "."
                  + output.getFileName()
                  + ".old-"
                  + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      Files.move(output, previous, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staging, output, StandardCopyOption.ATOMIC_MOVE);
    if (previous != null) {
      deleteQuietly(previous);
    }
  }

  private static boolean isEmptyDirectory(Path path) {
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(path)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + path, e);
    }
  }

  static void deleteQuietly(Path directory) {
    try {
      Directories.deleteRecursively(directory);
    } catch (IOException e) {
      LOG.warn("Could not remove {}: {}", directory, e.getMessage());
    }
  }

  /** One zero buffer and one scratch buffer, reused for every generated tensor (off-heap). */
  private static final class ReusableBuffers {
    private final ByteBuffer zeros;
    private ByteBuffer scratch;

    ReusableBuffers(long maxBytes) {
      if (maxBytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "A tensor of " + maxBytes + " bytes is too large to generate (max 2 GiB)");
      }
      this.zeros = ByteBuffer.allocateDirect((int) maxBytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    ByteBuffer zeros(long bytes) {
      return zeros
          .duplicate()
          .order(ByteOrder.LITTLE_ENDIAN)
          .clear()
          .limit((int) bytes)
          .slice()
          .order(ByteOrder.LITTLE_ENDIAN);
    }

    ByteBuffer random(TensorInfo info, String name, long seed, double initializerRange) {
      DType dtype = info.dtype();
      if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
        throw new IllegalArgumentException(
            "Cannot initialise " + name + " of dtype " + dtype + " randomly");
      }
      float[] values =
          InitializedWeights.values(
              name, info.shape().length, Math.toIntExact(info.numel()), seed, initializerRange);
      if (scratch == null || scratch.capacity() < info.byteLength()) {
        scratch = ByteBuffer.allocateDirect(Math.toIntExact(info.byteLength()));
      }
      ByteBuffer encoded = PretrainedModels.encode(values, dtype);
      ByteBuffer out =
          scratch
              .duplicate()
              .clear()
              .limit(Math.toIntExact(info.byteLength()))
              .slice()
              .order(ByteOrder.LITTLE_ENDIAN);
      out.put(encoded).flip();
      return out;
    }
  }

  /** Logs bytes and tensors done every few seconds. */
  private static final class Progress {
    private final long totalBytes;
    private final long started = System.nanoTime();
    private long bytes;
    private int tensors;
    private long lastLog = System.nanoTime();

    Progress(long totalBytes) {
      this.totalBytes = totalBytes;
    }

    ByteBuffer count(String name, ByteBuffer buffer) {
      bytes += buffer.remaining();
      tensors++;
      long now = System.nanoTime();
      if (now - lastLog > 5_000_000_000L) {
        lastLog = now;
        double seconds = (now - started) / 1e9;
        LOG.info(
            "expand: {} / {} ({}%), {} tensors, {} MB/s",
            human(bytes),
            human(totalBytes),
            totalBytes == 0 ? 100 : bytes * 100 / totalBytes,
            tensors,
            String.format(Locale.ROOT, "%.0f", bytes / 1e6 / seconds));
      }
      return buffer;
    }

    static String human(long bytes) {
      if (bytes >= 1_000_000_000L) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
      }
      return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
  }
}
