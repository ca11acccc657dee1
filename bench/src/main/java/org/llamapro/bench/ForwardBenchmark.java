package org.llamapro.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;
import java.util.SplittableRandom;
import org.llamapro.train.model.Generator;
import org.llamapro.train.model.InitializedWeights;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;

/**
 * {@code bench/run forward}: tokens/s of the model's full-sequence forward and of cached decoding
 * for a small LLaMA on this CPU, next to the F32 GFLOP/s of a 1024 x 1024 matmul through DJL (the
 * machine's ceiling), with the forward's achieved GFLOP/s for comparison.
 */
final class ForwardBenchmark {
  private ForwardBenchmark() {}

  static void run(String[] args) {
    // A small LLaMA: 8 blocks, hidden 512, MLP 1376, 8 heads, LLaMA-2 vocabulary (~46M parameters).
    LlamaConfig config =
        LlamaConfig.builder()
            .setVocabSize(32000)
            .setHiddenSize(512)
            .setIntermediateSize(1376)
            .setNumHiddenLayers(8)
            .setNumAttentionHeads(8)
            .optRmsNormEps(1e-5)
            .optMaxPositionEmbeddings(4096)
            .build();
    System.out.printf(
        Locale.ROOT,
        "threads: %d (torch intra-op default)%n",
        Runtime.getRuntime().availableProcessors());
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      double matmulGflops = matmul(manager, 1024);
      System.out.printf(Locale.ROOT, "matmul 1024x1024 F32: %.1f GFLOP/s%n", matmulGflops);
    }
    try (LlamaModel model =
        LlamaModel.load(
            config, new InitializedWeights(config, 0, 0.02), Device.cpu(), DataType.FLOAT32)) {
      for (int length : new int[] {128, 512, 2048}) {
        int batch = Math.max(1, 2048 / length);
        long[][] ids = randomIds(batch, length, config.vocabSize());
        full(model, ids); // warm up
        int reps = 3;
        long start = System.nanoTime();
        for (int r = 0; r < reps; r++) {
          full(model, ids);
        }
        double seconds = (System.nanoTime() - start) / 1e9 / reps;
        double tokens = (double) batch * length;
        double flops = forwardFlops(config, length) * batch;
        System.out.printf(
            Locale.ROOT,
            "full forward  batch %d x %4d tokens: %8.0f tokens/s, %.1f GFLOP/s%n",
            batch,
            length,
            tokens / seconds,
            flops / seconds / 1e9);
      }
      Generator generator = new Generator(model);
      long[] prompt = randomIds(1, 32, config.vocabSize())[0];
      generator.generate(prompt, Generator.Options.greedy(8)); // warm up
      int newTokens = 128;
      long start = System.nanoTime();
      generator.generate(prompt, Generator.Options.greedy(newTokens));
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "cached decode 32-token prompt + %d new tokens: %.0f tokens/s%n",
          newTokens,
          newTokens / seconds);
    }
  }

  private static void full(LlamaModel model, long[][] ids) {
    try (NDManager call = model.manager().newSubManager()) {
      NDArray logits = model.forward(call.create(ids), null);
      logits.getFloat(0, 0, 0); // force completion
    }
  }

  /** Forward FLOPs of one sequence: 2 x parameters x tokens + attention (QK^T and PV). */
  static double forwardFlops(LlamaConfig c, int length) {
    double perToken =
        2.0
            * (c.parametersPerBlock() * c.numHiddenLayers()
                + (double) c.vocabSize() * c.hiddenSize());
    double attention =
        2.0
            * 2.0
            * c.numHiddenLayers()
            * c.numAttentionHeads()
            * c.headDim()
            * length
            * (length + 1)
            / 2.0;
    return perToken * length + attention;
  }

  private static long[][] randomIds(int batch, int length, int vocab) {
    SplittableRandom random = new SplittableRandom(7);
    long[][] ids = new long[batch][length];
    for (long[] row : ids) {
      for (int t = 0; t < length; t++) {
        row[t] = random.nextInt(vocab);
      }
    }
    return ids;
  }

  private static double matmul(NDManager manager, int n) {
    NDArray a = manager.randomNormal(new Shape(n, n));
    NDArray b = manager.randomNormal(new Shape(n, n));
    a.matMul(b).close();
    int reps = 20;
    long start = System.nanoTime();
    for (int r = 0; r < reps; r++) {
      NDArray c = a.matMul(b);
      c.getFloat(0, 0);
      c.close();
    }
    double seconds = (System.nanoTime() - start) / 1e9 / reps;
    return 2.0 * n * n * n / seconds / 1e9;
  }
}
