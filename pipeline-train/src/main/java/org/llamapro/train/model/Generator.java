package org.llamapro.train.model;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Autoregressive decoding with a KV cache: the prompt is run once, then one token per step. Greedy
 * picks the highest logit (lowest id on ties); sampling uses temperature and nucleus (top-p)
 * filtering with a seeded generator, so the same seed gives the same tokens.
 */
public final class Generator {
  /** Decoding settings. */
  public record Options(
      int maxNewTokens,
      boolean greedy,
      double temperature,
      double topP,
      long seed,
      Set<Long> stopIds) {
    public Options {
      if (maxNewTokens < 0) {
        throw new IllegalArgumentException(
            "Invalid max new tokens: " + maxNewTokens + " (must be >= 0)");
      }
      if (!greedy && !(temperature > 0)) {
        throw new IllegalArgumentException(
            "Invalid temperature: " + temperature + " (must be > 0)");
      }
      if (!(topP > 0 && topP <= 1)) {
        throw new IllegalArgumentException("Invalid top-p: " + topP + " (must be in (0, 1])");
      }
      stopIds = Set.copyOf(requireNonNull(stopIds, "stopIds is null"));
    }

    public static Options greedy(int maxNewTokens) {
      return new Options(maxNewTokens, true, 1.0, 1.0, 0, Set.of());
    }
  }

  private final LlamaModel model;

  public Generator(LlamaModel model) {
    this.model = requireNonNull(model, "model is null");
  }

  /** The generated ids (not the prompt); ends early at a stop id, which is included. */
  public long[] generate(long[] prompt, Options options) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("The prompt has no tokens");
    }
    int vocab = model.config().vocabSize();
    for (long id : prompt) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "Token id " + id + " is outside the model's vocabulary [0, " + vocab + ")");
      }
    }
    SplittableRandom random = new SplittableRandom(options.seed());
    long[] generated = new long[options.maxNewTokens()];
    int count = 0;
    try (NDManager session = model.manager().newSubManager();
        KvCache cache = new KvCache(session, model.config().numHiddenLayers())) {
      long[] input = prompt;
      while (count < options.maxNewTokens()) {
        float[] logits;
        try (NDManager step = session.newSubManager()) {
          NDArray ids = step.create(input).reshape(1, input.length); // (1, T)
          NDArray all = model.forward(ids, cache); // (1, T, V)
          logits =
              all.get(new NDIndex("0, -1, :"))
                  .toType(DataType.FLOAT32, false)
                  .toFloatArray(); // (V)
        }
        long next = options.greedy() ? argmax(logits) : sample(logits, options, random);
        generated[count++] = next;
        if (options.stopIds().contains(next)) {
          break;
        }
        input = new long[] {next};
      }
    }
    return Arrays.copyOf(generated, count);
  }

  static long argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  static long sample(float[] logits, Options options, SplittableRandom random) {
    int n = logits.length;
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] probs = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      probs[i] = Math.exp((logits[i] - max) / options.temperature());
      sum += probs[i];
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
      probs[i] /= sum;
    }
    // Nucleus: the smallest set of most likely tokens whose mass reaches top-p.
    Arrays.sort(order, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[b], probs[a]) : a - b);
    double kept = 0;
    int size = 0;
    while (size < n && (size == 0 || kept < options.topP())) {
      kept += probs[order[size++]];
    }
    double target = random.nextDouble() * kept;
    double cumulative = 0;
    for (int i = 0; i < size; i++) {
      cumulative += probs[order[i]];
      if (target < cumulative) {
        return order[i];
      }
    }
    return order[size - 1];
  }
}
