package org.llamapro.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.checkpoint.FloatCodec;
import org.llamapro.train.checkpoint.SafetensorsFile;
import org.llamapro.train.checkpoint.SafetensorsWriter;
import org.llamapro.train.checkpoint.TensorInfo;
import org.llamapro.train.checkpoint.TensorSpec;

/**
 * {@code bench/run checkpoint-read [--size-mb 1024] [--dir DIR] [--repeat 3]}: writes a safetensors
 * file of F16 and BF16 tensors (64 MiB each, weight-like values), then reports MB/s of tensor bytes
 * for a plain sequential read of the file, a pass over the mapped bytes, and readFloats (half to
 * float conversion) into a float[] and into a direct FloatBuffer. The file is read from the page
 * cache (it was just written); the best of the repeats is reported.
 */
public final class CheckpointReadBench {
  private static final int TENSOR_ELEMENTS = 32 << 20; // 64 MiB of 2-byte values

  private CheckpointReadBench() {}

  public static void main(String[] args) throws IOException {
    long sizeMb = 1024;
    Path dir = null;
    int repeat = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size-mb" -> sizeMb = Long.parseLong(args[++i]);
        case "--dir" -> dir = Paths.get(args[++i]);
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument: " + args[i]);
      }
    }
    Path workDir = dir == null ? Files.createTempDirectory("checkpoint-read") : dir;
    Path file = workDir.resolve("bench.safetensors");
    try {
      run(file, sizeMb, repeat);
    } finally {
      Files.deleteIfExists(file);
      if (dir == null) {
        Files.deleteIfExists(workDir);
      }
    }
  }

  private static void run(Path file, long sizeMb, int repeat) throws IOException {
    int tensors = (int) Math.max(2, sizeMb * (1L << 20) / (2L * TENSOR_ELEMENTS));
    float[] weights = new float[TENSOR_ELEMENTS];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) (random.nextGaussian() * 0.02); // like initialised LLM weights
    }
    Map<DType, ByteBuffer> encoded = new HashMap<>();
    encoded.put(DType.F16, FloatCodec.encode(DType.F16, weights));
    encoded.put(DType.BF16, FloatCodec.encode(DType.BF16, weights));
    List<TensorSpec> specs = new ArrayList<>();
    for (int i = 0; i < tensors; i++) {
      DType type = i % 2 == 0 ? DType.F16 : DType.BF16;
      specs.add(
          new TensorSpec(
              "layers." + i + ".weight", type, new long[] {4096, TENSOR_ELEMENTS / 4096}));
    }
    long start = System.nanoTime();
    long written =
        SafetensorsWriter.write(
            file, specs, Map.of(), name -> encoded.get(specs.get(index(name)).dtype()).duplicate());
    report("write (SafetensorsWriter, fsync)", written, System.nanoTime() - start);
    System.out.printf(
        "file: %s, %d tensors (F16 and BF16, %d MiB each), %.1f MiB%n",
        file, tensors, 2L * TENSOR_ELEMENTS >> 20, written / (double) (1 << 20));

    float[] floats = new float[TENSOR_ELEMENTS];
    FloatBuffer direct =
        ByteBuffer.allocateDirect(4 * TENSOR_ELEMENTS)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
      long fileBytes = Files.size(file);
      best(
          "sequential read (FileChannel, 8 MiB direct buffer)",
          fileBytes,
          repeat,
          () -> readFile(file));
      for (DType type : new DType[] {DType.F16, DType.BF16}) {
        List<TensorInfo> ofType =
            safetensors.tensors().stream().filter(t -> t.dtype() == type).toList();
        long bytes = ofType.stream().mapToLong(TensorInfo::byteLength).sum();
        best(
            type + " mapped bytes, summed as longs",
            bytes,
            repeat,
            () -> forEach(ofType, t -> sumLongs(safetensors.bytes(t.name()))));
        best(
            type + " readFloats -> float[] (reused)",
            bytes,
            repeat,
            () ->
                forEach(
                    ofType,
                    t -> {
                      FloatCodec.decode(type, safetensors.bytes(t.name()), floats, 0);
                      return Float.floatToRawIntBits(floats[floats.length - 1]);
                    }));
        best(
            type + " readFloats(name) -> new float[]",
            bytes,
            repeat,
            () ->
                forEach(ofType, t -> Float.floatToRawIntBits(safetensors.readFloats(t.name())[7])));
        best(
            type + " readFloats -> direct FloatBuffer",
            bytes,
            repeat,
            () ->
                forEach(
                    ofType,
                    t -> {
                      direct.clear();
                      safetensors.readFloats(t.name(), direct);
                      return Float.floatToRawIntBits(direct.get(0));
                    }));
      }
    }
  }

  private static int index(String name) {
    return Integer.parseInt(name.substring("layers.".length(), name.indexOf(".weight")));
  }

  private static long forEach(List<TensorInfo> tensors, ToLongFunction<TensorInfo> work) {
    long checksum = 0;
    for (TensorInfo tensor : tensors) {
      checksum += work.applyAsLong(tensor);
    }
    return checksum;
  }

  private static long sumLongs(ByteBuffer bytes) {
    long sum = 0;
    int limit = bytes.limit() & ~7;
    for (int i = 0; i < limit; i += 8) {
      sum += bytes.getLong(i);
    }
    return sum;
  }

  private static long readFile(Path file) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(8 << 20);
    long sum = 0;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        sum += buffer.get(0);
        buffer.clear();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return sum;
  }

  private interface Work {
    long run();
  }

  private static void best(String what, long bytes, int repeat, Work work) {
    long[] times = new long[repeat];
    long sink = 0;
    for (int i = 0; i < repeat; i++) {
      long start = System.nanoTime();
      sink += work.run();
      times[i] = System.nanoTime() - start;
    }
    Arrays.sort(times);
    report(what + (sink == 42 ? " " : ""), bytes, times[0]);
  }

  private static void report(String what, long bytes, long nanos) {
    double seconds = nanos / 1e9;
    System.out.printf(
        "%-52s %8.0f MB/s  (%.1f MB in %.3f s)%n",
        what, bytes / 1e6 / seconds, bytes / 1e6, seconds);
  }
}
