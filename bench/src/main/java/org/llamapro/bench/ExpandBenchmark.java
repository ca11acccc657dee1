package org.llamapro.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.ShardedCheckpointWriter;
import org.llamapro.train.checkpoint.TensorSpec;
import org.llamapro.train.model.InitializedWeights;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.PretrainedModels;

/**
 * {@code bench/run expand [GB] [DIR]}: expands a generated F16 checkpoint of about GB gigabytes
 * (default 2) in a child JVM with a 1 GB heap, and prints seconds, MB/s and the child's peak RSS
 * next to {@code cp -r} of the same files on the same disk in the same run.
 */
final class ExpandBenchmark {
  private ExpandBenchmark() {}

  static void run(String[] args) throws Exception {
    double gigabytes = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
    Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("bench-expand");
    Files.createDirectories(work);
    // hidden 2048, MLP 5504, F16: about 100 MB per block; 16 blocks + embeddings ~ 1.9 GB.
    int hidden = 2048;
    int mlp = 5504;
    long perBlock = (4L * hidden * hidden + 3L * hidden * mlp) * 2;
    long embeddings = 2L * 32000 * hidden * 2;
    int layers = (int) Math.max(4, Math.round((gigabytes * 1e9 - embeddings) / perBlock / 4) * 4);
    LlamaConfig config =
        LlamaConfig.builder()
            .setVocabSize(32000)
            .setHiddenSize(hidden)
            .setIntermediateSize(mlp)
            .setNumHiddenLayers(layers)
            .setNumAttentionHeads(16)
            .optHeadDim(128)
            .optRmsNormEps(1e-5)
            .optMaxPositionEmbeddings(4096)
            .build();
    Path base = work.resolve("base");
    if (!Files.exists(base.resolve("config.json"))) {
      generate(config, base);
    }
    long bytes = directoryBytes(base);
    System.out.printf(
        Locale.ROOT, "checkpoint: %d blocks, %.2f GB F16 in %s%n", layers, bytes / 1e9, base);

    Path copy = work.resolve("copy");
    delete(copy);
    long t0 = System.nanoTime();
    exec(List.of("cp", "-r", base.toString(), copy.toString()));
    exec(List.of("sync"));
    double cpSeconds = (System.nanoTime() - t0) / 1e9;
    delete(copy);

    Path expanded = work.resolve("expanded");
    delete(expanded);
    int newLayers = layers + layers / 4;
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.llamapro.cli.PipelineMain");
    command.addAll(
        List.of(
            "expand",
            "--model",
            base.toString(),
            "--output",
            expanded.toString(),
            "--layers",
            String.valueOf(newLayers)));
    long t1 = System.nanoTime();
    Process process = new ProcessBuilder(command).inheritIO().start();
    long peakRss = 0;
    while (process.isAlive()) {
      peakRss = Math.max(peakRss, statusKb(process.pid(), "VmHWM:"));
      Thread.sleep(50);
    }
    exec(List.of("sync"));
    double expandSeconds = (System.nanoTime() - t1) / 1e9;
    if (process.exitValue() != 0) {
      throw new IllegalStateException("expand failed with exit code " + process.exitValue());
    }
    long written = directoryBytes(expanded);
    System.out.printf(
        Locale.ROOT,
        "cp -r:   %.2f GB in %.2f s = %.0f MB/s%n",
        bytes / 1e9,
        cpSeconds,
        bytes / 1e6 / cpSeconds);
    System.out.printf(
        Locale.ROOT,
        "expand:  %d -> %d blocks, wrote %.2f GB in %.2f s = %.0f MB/s (includes JVM start, SHA-256 of every file, sync)%n",
        layers,
        newLayers,
        written / 1e9,
        expandSeconds,
        written / 1e6 / expandSeconds);
    System.out.printf(
        Locale.ROOT,
        "expand peak RSS (child JVM, -Xmx1g, includes mapped file pages): %.0f MB%n",
        peakRss / 1024.0);
    System.out.printf(
        Locale.ROOT,
        "ratio expand/cp (time per byte): %.2f%n",
        (expandSeconds / written) / (cpSeconds / bytes));
    delete(expanded);
  }

  private static void generate(LlamaConfig config, Path dir) {
    // Cheap pseudo-random F16 bytes (the benchmark measures I/O, not initialisation).
    byte[] noise = new byte[1 << 20];
    new SplittableRandom(1).nextBytes(noise);
    for (int i = 0; i < noise.length; i += 2) {
      noise[i + 1] &= 0x3b; // keep values finite and small
    }
    ShardedCheckpointWriter.Builder writer =
        ShardedCheckpointWriter.builder().setOutputDirectory(dir);
    InitializedWeights names = new InitializedWeights(config, 0, 0.02);
    for (String name : names.names()) {
      long[] shape = names.shape(name);
      TensorSpec spec = new TensorSpec(name, DType.F16, shape);
      writer.add(spec, n -> fill(spec.byteLength(), noise));
    }
    writer.write();
    var json = config.toJson();
    json.put("torch_dtype", "float16");
    PretrainedModels.writeJson(dir.resolve("config.json"), json);
  }

  private static ByteBuffer fill(long bytes, byte[] noise) {
    ByteBuffer buffer =
        ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      buffer.put(noise, 0, Math.min(noise.length, buffer.remaining()));
    }
    return buffer.flip();
  }

  static long statusKb(long pid, String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0; // the process has just exited
    }
    return 0;
  }

  static long directoryBytes(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void exec(List<String> command) throws IOException, InterruptedException {
    int code = new ProcessBuilder(command).inheritIO().start().waitFor();
    if (code != 0) {
      throw new IllegalStateException(command + " failed with exit code " + code);
    }
  }

  static void delete(Path dir) throws IOException, InterruptedException {
    if (Files.exists(dir)) {
      exec(List.of("rm", "-rf", dir.toString()));
    }
  }
}
