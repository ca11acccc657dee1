package org.llamapro.train.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Random weights for a tiny config, by Hugging Face name: a {@link TensorSource} for tests. */
public final class RandomWeights implements TensorSource {
  private final Map<String, float[]> values = new LinkedHashMap<>();
  private final Map<String, long[]> shapes = new LinkedHashMap<>();

  public RandomWeights(LlamaConfig config, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int d = config.hiddenSize();
    int q = config.numAttentionHeads() * config.headDim();
    int kv = config.numKeyValueHeads() * config.headDim();
    int f = config.intermediateSize();
    put(TensorNames.EMBED, random, 1.0, config.vocabSize(), d);
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      norm(TensorNames.layer(i, TensorNames.INPUT_NORM), random, d);
      put(TensorNames.layer(i, TensorNames.Q_PROJ + ".weight"), random, 0.3, q, d);
      put(TensorNames.layer(i, TensorNames.K_PROJ + ".weight"), random, 0.3, kv, d);
      put(TensorNames.layer(i, TensorNames.V_PROJ + ".weight"), random, 0.3, kv, d);
      put(TensorNames.layer(i, TensorNames.O_PROJ + ".weight"), random, 0.3, d, q);
      if (config.qkvBias()) {
        put(TensorNames.layer(i, TensorNames.Q_PROJ + ".bias"), random, 0.1, q);
        put(TensorNames.layer(i, TensorNames.K_PROJ + ".bias"), random, 0.1, kv);
        put(TensorNames.layer(i, TensorNames.V_PROJ + ".bias"), random, 0.1, kv);
      }
      if (config.outputBias()) {
        put(TensorNames.layer(i, TensorNames.O_PROJ + ".bias"), random, 0.1, d);
      }
      norm(TensorNames.layer(i, TensorNames.POST_NORM), random, d);
      put(TensorNames.layer(i, TensorNames.GATE_PROJ + ".weight"), random, 0.3, f, d);
      put(TensorNames.layer(i, TensorNames.UP_PROJ + ".weight"), random, 0.3, f, d);
      put(TensorNames.layer(i, TensorNames.DOWN_PROJ + ".weight"), random, 0.3, d, f);
      if (config.mlpBias()) {
        put(TensorNames.layer(i, TensorNames.GATE_PROJ + ".bias"), random, 0.1, f);
        put(TensorNames.layer(i, TensorNames.UP_PROJ + ".bias"), random, 0.1, f);
        put(TensorNames.layer(i, TensorNames.DOWN_PROJ + ".bias"), random, 0.1, d);
      }
    }
    norm(TensorNames.FINAL_NORM, random, d);
    if (!config.tieWordEmbeddings()) {
      put(TensorNames.LM_HEAD, random, 0.3, config.vocabSize(), d);
    }
  }

  private void put(String name, SplittableRandom random, double scale, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    float[] data = new float[(int) n];
    double fanIn = shape[shape.length - 1];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) ((random.nextDouble() * 2 - 1) * scale * Math.sqrt(3.0 / fanIn) * 2);
    }
    values.put(name, data);
    shapes.put(name, shape);
  }

  private void norm(String name, SplittableRandom random, int d) {
    float[] data = new float[d];
    for (int i = 0; i < d; i++) {
      data[i] = (float) (0.8 + 0.4 * random.nextDouble());
    }
    values.put(name, data);
    shapes.put(name, new long[] {d});
  }

  public Map<String, float[]> values() {
    return values;
  }

  public Map<String, long[]> shapes() {
    return shapes;
  }

  @Override
  public boolean contains(String name) {
    return values.containsKey(name);
  }

  @Override
  public long[] shape(String name) {
    return shapes.get(name).clone();
  }

  @Override
  public float[] readFloats(String name) {
    return values.get(name).clone();
  }
}
