package org.llamapro.bench;

import java.util.Map;
import java.util.TreeMap;

/** {@code bench/run NAME [ARGS]}: runs one benchmark, which prints its figures to stdout. */
public final class BenchMain {
  /** A benchmark entry point. */
  @FunctionalInterface
  public interface Benchmark {
    void run(String[] args) throws Exception;
  }

  private static Map<String, Benchmark> benchmarks() {
    Map<String, Benchmark> all = new TreeMap<>();
    // One line per benchmark: name -> entry point.
    all.put("expand", ExpandBenchmark::run);
    all.put("forward", ForwardBenchmark::run);
    all.put("checkpoint-read", CheckpointReadBench::main);
    all.put("allreduce", AllReduceBench::run);
    all.put("tokenize-pack", TokenizePackBenchmark::run);
    all.put("tokenizer-ceiling", TokenizerCeilingBenchmark::run);
    all.put("data-prepare", DataPrepareBenchmark::run);
    all.put("train", TrainStepBench::run);
    all.put("connected-components", ComponentsBenchmark::run);
    return all;
  }

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, Benchmark> all = benchmarks();
    if (args.length == 0 || !all.containsKey(args[0])) {
      System.err.println("usage: bench/run NAME [ARGS...]; benchmarks: " + all.keySet());
      System.exit(args.length == 0 ? 0 : 2);
    }
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    all.get(args[0]).run(rest);
  }
}
