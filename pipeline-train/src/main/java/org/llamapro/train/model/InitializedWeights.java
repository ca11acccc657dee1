package org.llamapro.train.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fresh weights as transformers initialises a LLaMA: every projection and the embedding from N(0,
 * initializer_range), norms 1, biases 0. Each tensor has its own seeded generator, so a tensor's
 * values do not depend on the order tensors are read in. Values are made on read.
 */
public final class InitializedWeights implements TensorSource {
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final long seed;
  private final double initializerRange;

  public InitializedWeights(LlamaConfig config, long seed, double initializerRange) {
    this.seed = seed;
    this.initializerRange = initializerRange;
    shapes.putAll(ModelLayout.shapes(config));
  }

  /** Tensor names in the order transformers' state dict lists them. */
  public Iterable<String> names() {
    return shapes.keySet();
  }

  @Override
  public boolean contains(String name) {
    return shapes.containsKey(name);
  }

  @Override
  public long[] shape(String name) {
    return shapes.get(name).clone();
  }

  @Override
  public float[] readFloats(String name) {
    long[] shape = shapes.get(name);
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return values(name, shape.length, (int) n, seed, initializerRange);
  }

  /** The values a tensor of this name and rank starts with. */
  public static float[] values(
      String name, int rank, int numel, long seed, double initializerRange) {
    float[] data = new float[numel];
    if (rank == 1) {
      if (name.endsWith("norm.weight")) {
        java.util.Arrays.fill(data, 1f);
      }
      return data; // norms 1, biases 0
    }
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    for (int i = 0; i < numel; i++) {
      data[i] = (float) (random.nextGaussian() * initializerRange);
    }
    return data;
  }
}
