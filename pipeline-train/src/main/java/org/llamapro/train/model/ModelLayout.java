package org.llamapro.train.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every tensor a config implies, by Hugging Face name and shape: what {@link LlamaModel#load}
 * reads, what {@link InitializedWeights} creates, and what {@code expand} checks a model against
 * before writing anything. D is hidden size, Hq/Hkv the query/key-value heads, hd the head dim, F
 * the MLP width, V the vocabulary.
 */
public final class ModelLayout {
  private ModelLayout() {}

  /**
   * Name to shape, in the order transformers' state dict lists them: embedding, each block, final
   * norm, and the language-model head unless it is tied to the embedding.
   */
  public static Map<String, long[]> shapes(LlamaConfig config) {
    long d = config.hiddenSize();
    long q = (long) config.numAttentionHeads() * config.headDim();
    long kv = (long) config.numKeyValueHeads() * config.headDim();
    long f = config.intermediateSize();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put(TensorNames.EMBED, new long[] {config.vocabSize(), d}); // (V, D)
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      shapes.put(TensorNames.layer(i, TensorNames.INPUT_NORM), new long[] {d}); // (D)
      projection(shapes, i, TensorNames.Q_PROJ, q, d, config.qkvBias()); // (Hq*hd, D)
      projection(shapes, i, TensorNames.K_PROJ, kv, d, config.qkvBias()); // (Hkv*hd, D)
      projection(shapes, i, TensorNames.V_PROJ, kv, d, config.qkvBias()); // (Hkv*hd, D)
      projection(shapes, i, TensorNames.O_PROJ, d, q, config.outputBias()); // (D, Hq*hd)
      shapes.put(TensorNames.layer(i, TensorNames.POST_NORM), new long[] {d}); // (D)
      projection(shapes, i, TensorNames.GATE_PROJ, f, d, false); // (F, D)
      projection(shapes, i, TensorNames.UP_PROJ, f, d, false); // (F, D)
      projection(shapes, i, TensorNames.DOWN_PROJ, d, f, false); // (D, F)
      if (config.mlpBias()) {
        shapes.put(TensorNames.layer(i, TensorNames.GATE_PROJ + ".bias"), new long[] {f});
        shapes.put(TensorNames.layer(i, TensorNames.UP_PROJ + ".bias"), new long[] {f});
        shapes.put(TensorNames.layer(i, TensorNames.DOWN_PROJ + ".bias"), new long[] {d});
      }
    }
    shapes.put(TensorNames.FINAL_NORM, new long[] {d}); // (D)
    if (!config.tieWordEmbeddings()) {
      shapes.put(TensorNames.LM_HEAD, new long[] {config.vocabSize(), d}); // (V, D)
    }
    return shapes;
  }

  /** Biases this architecture does not have; a checkpoint holding one belongs to another. */
  public static List<String> absentBiases(LlamaConfig config) {
    List<String> absent = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      if (!config.qkvBias()) {
        for (String p : List.of(TensorNames.Q_PROJ, TensorNames.K_PROJ, TensorNames.V_PROJ)) {
          absent.add(TensorNames.layer(i, p + ".bias"));
        }
      }
      if (!config.outputBias()) {
        absent.add(TensorNames.layer(i, TensorNames.O_PROJ + ".bias"));
      }
      if (!config.mlpBias()) {
        for (String p :
            List.of(TensorNames.GATE_PROJ, TensorNames.UP_PROJ, TensorNames.DOWN_PROJ)) {
          absent.add(TensorNames.layer(i, p + ".bias"));
        }
      }
    }
    return absent;
  }

  /**
   * Checks that {@code source} holds every tensor of {@code config} in its shape and no bias the
   * architecture lacks. Tensors the model does not use are allowed, as transformers allows them.
   *
   * @throws IllegalArgumentException naming the tensor, its file where known, and both shapes
   */
  public static void check(LlamaConfig config, TensorSource source) {
    for (Map.Entry<String, long[]> expected : shapes(config).entrySet()) {
      String name = expected.getKey();
      if (!source.contains(name)) {
        String where = source.location(name);
        throw new IllegalArgumentException(
            where == null
                ? "Checkpoint is missing tensor " + name
                : where + ": missing tensor " + name + ", which config.json requires");
      }
      long[] actual = source.shape(name);
      if (!Arrays.equals(actual, expected.getValue())) {
        throw new IllegalArgumentException(
            prefix(source, name)
                + name
                + ": expected shape "
                + Arrays.toString(expected.getValue())
                + " from config.json but the checkpoint has "
                + Arrays.toString(actual));
      }
    }
    for (String name : absentBiases(config)) {
      if (source.contains(name)) {
        throw new IllegalArgumentException(
            prefix(source, name)
                + "Checkpoint has "
                + name
                + " but config.json says this architecture has no such bias");
      }
    }
  }

  private static String prefix(TensorSource source, String name) {
    String where = source.location(name);
    return where == null ? "" : where + ": ";
  }

  private static void projection(
      Map<String, long[]> shapes, int layer, String projection, long out, long in, boolean bias) {
    shapes.put(TensorNames.layer(layer, projection + ".weight"), new long[] {out, in});
    if (bias) {
      shapes.put(TensorNames.layer(layer, projection + ".bias"), new long[] {out});
    }
  }
}
