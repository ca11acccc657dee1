package org.llamapro.train.expand;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.llamapro.hash.Sha256;
import org.llamapro.io.OutputGuard;
import org.llamapro.io.StagedDirectory;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.checkpoint.ShardedCheckpointWriter;
import org.llamapro.train.checkpoint.TensorInfo;
import org.llamapro.train.checkpoint.TensorSpec;
import org.llamapro.train.model.HfConfigJson;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.ModelLayout;
import org.llamapro.train.model.PretrainedModels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LLaMA Pro block expansion, streaming: each output tensor is written straight from the
 * memory-mapped input (or from one reused zero or random buffer, see {@link NewBlockTensors}), so
 * the heap stays small whatever the model's size. Tensors keep their dtype and bytes. Blocks are
 * matched by name ({@code <prefix>.layers.<i>.<rest>}), so every tensor of a block is carried
 * along, whatever the architecture calls it.
 *
 * <p>The output is built in a {@link StagedDirectory} and moved into place at the end: it appears
 * complete or not at all.
 */
public final class BlockExpander {
  private static final Logger LOG = LoggerFactory.getLogger(BlockExpander.class);
  private static final Pattern LAYER = Pattern.compile("^(.*\\.layers\\.)(\\d+)\\.(.+)$");

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

  /** Checks a finished expansion before it is published; throws to discard it. */
  @FunctionalInterface
  public interface StagedCheck {
    /** {@code expanded} is the complete model under its staging name. */
    void check(Path expanded);
  }

  public static ExpansionRecord expand(Request request) {
    return expand(request, expanded -> {});
  }

  /**
   * Expands, then runs {@code check} on the complete output before it is moved into place: a check
   * that throws leaves no output behind (and an existing one, with {@code --overwrite}, untouched).
   *
   * <p>Refused before anything is written: an output that contains or is inside the input, an
   * existing output that is not a previous expansion (only those carry {@value
   * ExpansionRecord#FILE_NAME}, so only those may be replaced), and an input model that the loader
   * would refuse (config.json, tensor names and shapes).
   */
  public static ExpansionRecord expand(Request request, StagedCheck check) {
    requireNonNull(check, "check is null");
    Path output = request.output().toAbsolutePath().normalize();
    Path input = request.input().toAbsolutePath().normalize();
    OutputGuard.requireDisjoint(output, Map.of("--model", input));
    OutputGuard.requireReplaceable(output, request.overwrite(), ExpansionRecord.FILE_NAME);
    long started = System.nanoTime();
    try (HfModelDirectory model = HfModelDirectory.open(input)) {
      LlamaConfig config = LlamaConfig.fromHfConfig(model);
      requireLoadable(model, config);
      int oldLayers = config.numHiddenLayers();
      ExpansionPlan plan = ExpansionPlan.of(oldLayers, request.layers(), request.placement());
      Map<Integer, List<String>> blocks = blockTensors(model, oldLayers);
      try (StagedDirectory staged = StagedDirectory.create(output)) {
        ShardedCheckpointWriter.Result written =
            writeTensors(model, config, plan, blocks, request, staged.path());
        HfConfigJson.write(
            staged.path().resolve(HfModelDirectory.CONFIG),
            HfConfigJson.withLayers(model.config(), plan.newLayers()));
        for (Path file : model.nonWeightFiles()) {
          copyNonWeightFile(input, file, staged.path());
        }
        ExpansionRecord record =
            new ExpansionRecord(
                ExpansionRecord.FORMAT,
                input.toString(),
                oldLayers,
                plan.newLayers(),
                plan.placement(),
                request.init(),
                request.seed(),
                plan.newBlockIndices(),
                plan.sources(),
                digests(staged.path(), written.sha256()));
        record.write(staged.path());
        check.check(staged.path());
        staged.publish();
        logDone(plan, request, written, started, output);
        return record;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Expansion failed; nothing was written to " + output + ": " + e.getMessage(), e);
    }
  }

  /**
   * The expanded model's tensors, in the order transformers writes them: embeddings first, then the
   * blocks (kept ones copied, new ones from {@link NewBlockTensors}), then the rest.
   */
  private static ShardedCheckpointWriter.Result writeTensors(
      HfModelDirectory model,
      LlamaConfig config,
      ExpansionPlan plan,
      Map<Integer, List<String>> blocks,
      Request request,
      Path directory) {
    List<String> others = new ArrayList<>();
    for (String name : model.tensorNames()) {
      if (!LAYER.matcher(name).matches()) {
        others.add(name);
      }
    }
    others.sort(Comparator.naturalOrder());
    NewBlockTensors fresh =
        NewBlockTensors.of(request.init(), model, request.seed(), config.initializerRange());
    ExpandProgress progress = new ExpandProgress(plannedBytes(model, blocks, plan, others));
    ShardedCheckpointWriter.Builder writer =
        ShardedCheckpointWriter.builder()
            .setOutputDirectory(directory)
            .optMaxShardBytes(request.maxShardBytes());
    for (String name : others) {
      if (name.contains("embed")) {
        writer.add(model.info(name).spec(), n -> progress.count(model.bytes(n)));
      }
    }
    for (int layer = 0; layer < plan.newLayers(); layer++) {
      boolean added = plan.added().get(layer);
      for (String name : blocks.get(plan.sources().get(layer))) {
        Matcher m = LAYER.matcher(name);
        m.matches();
        TensorInfo info = model.info(name);
        TensorSpec spec =
            new TensorSpec(m.group(1) + layer + "." + m.group(3), info.dtype(), info.shape());
        if (added) {
          writer.add(spec, n -> progress.count(fresh.bytes(spec, name)));
        } else {
          writer.add(spec, n -> progress.count(model.bytes(name)));
        }
      }
    }
    for (String name : others) {
      if (!name.contains("embed")) {
        writer.add(model.info(name).spec(), n -> progress.count(model.bytes(n)));
      }
    }
    return writer.write();
  }

  /**
   * The loader's checks, before anything is written: every tensor config.json implies, in its shape
   * and a float dtype, and no bias the architecture lacks. Errors name the file and tensor.
   */
  private static void requireLoadable(HfModelDirectory model, LlamaConfig config) {
    ModelLayout.check(config, PretrainedModels.tensorSource(model));
    for (String name : ModelLayout.shapes(config).keySet()) {
      TensorInfo info = model.info(name);
      if (!info.dtype().isReadableAsFloat()) {
        throw new IllegalArgumentException(
            model.fileOf(name).path()
                + ": tensor "
                + name
                + " is "
                + info.dtype()
                + "; model weights must be F32, F16 or BF16");
      }
    }
  }

  /** Block index -> its tensor names (sorted), checking the blocks are exactly 0..layers-1. */
  private static Map<Integer, List<String>> blockTensors(HfModelDirectory model, int layers) {
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
            model.weightsFile()
                + ": config.json says "
                + layers
                + " blocks but the checkpoint has no tensors for block "
                + i);
      }
    }
    if (blocks.size() != layers) {
      throw new IllegalArgumentException(
          model.weightsFile()
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
        if (name.equals(StagedDirectory.OWNER_FILE)) {
          continue; // removed when the directory is published
        }
        String sha = known.containsKey(name) ? known.get(name) : Sha256.hex(file);
        digests.put(name, new ExpansionRecord.FileDigest(Files.size(file), sha));
      }
    }
    return digests;
  }

  private static void logDone(
      ExpansionPlan plan,
      Request request,
      ShardedCheckpointWriter.Result written,
      long started,
      Path output) {
    double seconds = (System.nanoTime() - started) / 1e9;
    LOG.info(
        "Expanded {} -> {} blocks ({}, {}): new blocks {}; wrote {} in {} file(s) in {} s ({} MB/s) to {}",
        plan.oldLayers(),
        plan.newLayers(),
        plan.placement(),
        request.init(),
        plan.newBlockIndices(),
        ExpandProgress.human(written.totalBytes()),
        written.files().size(),
        String.format(Locale.ROOT, "%.1f", seconds),
        String.format(Locale.ROOT, "%.0f", written.totalBytes() / 1e6 / Math.max(seconds, 1e-9)),
        output);
  }
}
