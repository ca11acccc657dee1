package org.llamapro.train.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import org.llamapro.train.expand.ExpansionRecord;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.TensorNames;

/**
 * Which weights learn. The stages of the network, bottom to top, are the embedding (stage -1), the
 * decoder blocks (0 .. L-1) and the head (final norm and lm_head, stage L). Everything not listed
 * here is frozen: it gets no gradient and never changes.
 *
 * <p>Specs: {@code new} (default) = the blocks {@code expand} inserted, read from {@code
 * expansion.json}; {@code all} = every weight (the paper's full fine-tune baseline); {@code blocks}
 * = every decoder block, embeddings and head frozen; or block indices such as {@code 4,9,14}.
 */
public record TrainableSet(SortedSet<Integer> blocks, boolean embedding, boolean head) {
  public static final String NEW = "new";
  public static final String ALL = "all";
  public static final String ALL_BLOCKS = "blocks";

  public TrainableSet {
    blocks = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(blocks));
  }

  /**
   * Resolves a spec against a model. {@code modelDirectory} is read only for {@code new}.
   *
   * @throws IllegalArgumentException for a bad spec, an index outside the model, a model that is
   *     not an expansion (for {@code new}), or nothing to train
   */
  public static TrainableSet resolve(String spec, LlamaConfig config, Path modelDirectory) {
    String s = spec == null ? NEW : spec.trim().toLowerCase(Locale.ROOT);
    int layers = config.numHiddenLayers();
    TrainableSet set;
    switch (s) {
      case NEW -> {
        if (!Files.isRegularFile(modelDirectory.resolve(ExpansionRecord.FILE_NAME))) {
          throw new IllegalArgumentException(
              "Model "
                  + modelDirectory
                  + " has no "
                  + ExpansionRecord.FILE_NAME
                  + ": it is not the output of 'pipeline expand', so there are no new blocks to"
                  + " train by default; expand it first, or pass --trainable all, blocks or a"
                  + " list of block indices");
        }
        ExpansionRecord record = ExpansionRecord.read(modelDirectory);
        if (record.newLayers() != layers) {
          throw new IllegalArgumentException(
              modelDirectory.resolve(ExpansionRecord.FILE_NAME)
                  + " says new_layers = "
                  + record.newLayers()
                  + " but config.json has num_hidden_layers = "
                  + layers
                  + "; the record does not belong to this model");
        }
        set = new TrainableSet(new TreeSet<>(record.newBlocks()), false, false);
      }
      case ALL -> set = new TrainableSet(range(layers), true, true);
      case ALL_BLOCKS -> set = new TrainableSet(range(layers), false, false);
      default -> set = new TrainableSet(parseIndices(spec, layers), false, false);
    }
    if (set.isEmpty()) {
      throw new IllegalArgumentException(
          "No trainable parameters: --trainable '" + spec + "' selects no weights");
    }
    return set;
  }

  private static SortedSet<Integer> range(int layers) {
    SortedSet<Integer> all = new TreeSet<>();
    for (int i = 0; i < layers; i++) {
      all.add(i);
    }
    return all;
  }

  private static SortedSet<Integer> parseIndices(String spec, int layers) {
    SortedSet<Integer> indices = new TreeSet<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int index;
      try {
        index = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "Invalid --trainable: '"
                + spec
                + "' (expected new, all, blocks, or block indices such as 4,9)",
            e);
      }
      if (index < 0 || index >= layers) {
        throw new IllegalArgumentException(
            "Invalid --trainable block " + index + ": the model has blocks 0.." + (layers - 1));
      }
      indices.add(index);
    }
    return indices;
  }

  public boolean isEmpty() {
    return blocks.isEmpty() && !embedding && !head;
  }

  /**
   * The lowest stage that learns: -1 for the embedding, a block index, or L for the head. Backward
   * stops here.
   */
  public int lowestStage(int layers) {
    if (embedding) {
      return -1;
    }
    return blocks.isEmpty() ? layers : blocks.first();
  }

  /** Whether a tensor (by Hugging Face name) learns. */
  public boolean contains(String name) {
    int layer = TensorNames.layerOf(name);
    if (layer >= 0) {
      return blocks.contains(layer);
    }
    if (name.equals(TensorNames.EMBED)) {
      return embedding;
    }
    return head && (name.equals(TensorNames.FINAL_NORM) || name.equals(TensorNames.LM_HEAD));
  }

  /** A short description for logs and the run record, e.g. {@code blocks [4, 9]}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (embedding) {
      parts.add("embedding");
    }
    if (!blocks.isEmpty()) {
      parts.add("blocks " + blocks);
    }
    if (head) {
      parts.add("final norm + lm_head");
    }
    return String.join(", ", parts);
  }
}
