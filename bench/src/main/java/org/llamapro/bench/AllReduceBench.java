package org.llamapro.bench;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.llamapro.config.ByteSize;
import org.llamapro.train.allreduce.PeerAddress;
import org.llamapro.train.allreduce.RingAllReduce;
import org.llamapro.train.allreduce.WireKernels;
import org.llamapro.train.allreduce.WireType;

/**
 * {@code bench/run allreduce [--max-size 1GiB] [--ranks 2,4] [--wire f32,f16] [--repeats 3]}: ring
 * all-reduce between ranks that are threads of this JVM over real TCP on 127.0.0.1, against a
 * single-thread memory copy of the same bytes; then the per-element costs of the ring's kernels and
 * a projection of the communication share of a training step at the paper's scale.
 *
 * <p>Memory: W buffers of the largest size are allocated once (direct), so 1 GiB with W = 4 needs 4
 * GiB of direct memory plus chunk buffers; bench/run's default -Xmx8g allows 8 GiB of direct memory
 * (raise it with BENCH_JAVA_OPTS="-Xmx8g -XX:MaxDirectMemorySize=12g" if needed).
 */
public final class AllReduceBench {
  private static final long MIB = 1L << 20;

  // The paper's setting: 8 new blocks of LLaMA-2-7B trainable, 16 H800 GPUs, bf16 on the wire.
  private static final double PAPER_TRAINABLE_PARAMS = 1.62e9;
  private static final int PAPER_RANKS = 16;
  private static final double PAPER_COMPUTE_SECONDS = 40;
  private static final int PAPER_MICRO_BATCHES =
      16; // 1024 sequences / 16 ranks / 4 per micro-batch

  private AllReduceBench() {}

  public static void run(String[] args) throws Exception {
    long maxSize = 1L << 30;
    int[] ranks = {2, 4};
    List<WireType> wires = List.of(WireType.F32, WireType.F16);
    int repeats = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--max-size" -> maxSize = ByteSize.parse("--max-size", args[++i]);
        case "--ranks" ->
            ranks = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--wire" ->
            wires =
                Arrays.stream(args[++i].split(",")).map(w -> WireType.parse("--wire", w)).toList();
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "Unknown argument: "
                    + args[i]
                    + " (expected --max-size SIZE, --ranks 2,4, --wire f32,f16, --repeats N)");
      }
    }
    if (maxSize > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "Invalid --max-size: " + maxSize + " bytes (one direct buffer holds at most 2 GiB - 1)");
    }
    List<Long> sizes = new ArrayList<>();
    for (long size : new long[] {MIB, 16 * MIB, 256 * MIB, 1024 * MIB}) {
      if (size <= maxSize) {
        sizes.add(size);
      }
    }
    int maxRanks = Arrays.stream(ranks).max().orElse(2);
    long largest = sizes.get(sizes.size() - 1);
    System.out.printf(
        Locale.ROOT,
        "all-reduce on loopback: ranks %s as threads of one JVM, %d cores, wire %s, %d repeats%n",
        Arrays.toString(ranks),
        Runtime.getRuntime().availableProcessors(),
        wires,
        repeats);
    System.out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
    System.out.printf(
        Locale.ROOT, "allocating %d x %s direct buffers%n%n", maxRanks, human(largest));
    List<FloatBuffer> buffers = new ArrayList<>();
    for (int r = 0; r < maxRanks; r++) {
      buffers.add(direct((int) (largest / Float.BYTES)));
      fill(buffers.get(r), r);
    }

    System.out.println(
        "W  wire  size       time ms   algbw GB/s  busbw GB/s  wire GB/s/rank  copy GB/s");
    for (int worldSize : ranks) {
      for (WireType wire : wires) {
        List<RingAllReduce> ring = connect(worldSize, wire);
        try {
          for (long size : sizes) {
            int count = (int) (size / Float.BYTES);
            double seconds = timeAllReduce(ring, buffers, count, size < 64 * MIB ? 10 : repeats);
            double copy = copyGigabytesPerSecond(buffers.get(0), buffers.get(1), count);
            double bus = 2.0 * (worldSize - 1) / worldSize;
            double wireBytes = bus * count * wire.bytes();
            System.out.printf(
                Locale.ROOT,
                "%-2d %-5s %-9s %9.1f %12.2f %11.2f %15.2f %10.2f%n",
                worldSize,
                wire,
                human(size),
                seconds * 1e3,
                size / seconds / 1e9,
                bus * size / seconds / 1e9,
                wireBytes / seconds / 1e9,
                copy);
          }
        } finally {
          ring.forEach(RingAllReduce::close);
        }
      }
    }

    Costs costs = measureKernels(buffers.get(0), buffers.get(1));
    System.out.printf(
        Locale.ROOT,
        "%nload average now: %s%nper-element kernels (CPU time of one thread, %s): add f32 %.3f ns, add f16 (decode+add) %.3f ns,"
            + " encode f16 %.3f ns, decode f16 %.3f ns, mean %.3f ns, copy f32 %.3f ns"
            + " (memcpy %.2f GB/s)%n",
        loadAverage(),
        human(costs.bytes),
        costs.addF32,
        costs.addF16,
        costs.encodeF16,
        costs.decodeF16,
        costs.mean,
        costs.copyF32,
        4 / costs.copyF32);
    project(costs);
  }

  /**
   * Median wall time of {@code repeats} all-reduces (after one warm-up) of {@code count} floats.
   */
  private static double timeAllReduce(
      List<RingAllReduce> ring, List<FloatBuffer> buffers, int count, int repeats)
      throws Exception {
    int worldSize = ring.size();
    ExecutorService pool = Executors.newFixedThreadPool(worldSize);
    try {
      double[] seconds = new double[repeats];
      for (int iteration = -1; iteration < repeats; iteration++) {
        CyclicBarrier start = new CyclicBarrier(worldSize + 1);
        List<Future<?>> futures = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
          RingAllReduce member = ring.get(r);
          FloatBuffer buffer = buffers.get(r).duplicate().clear().limit(count);
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    member.allReduceMean(buffer);
                    return null;
                  }));
        }
        start.await();
        long begin = System.nanoTime();
        for (Future<?> future : futures) {
          future.get(10, TimeUnit.MINUTES);
        }
        if (iteration >= 0) {
          seconds[iteration] = (System.nanoTime() - begin) / 1e9;
        }
      }
      Arrays.sort(seconds);
      return seconds[repeats / 2];
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<RingAllReduce> connect(int worldSize, WireType wire) throws Exception {
    List<ServerSocketChannel> servers = new ArrayList<>();
    List<PeerAddress> peers = new ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      ServerSocketChannel server = ServerSocketChannel.open();
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      servers.add(server);
      peers.add(
          new PeerAddress("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(worldSize);
    try {
      List<Future<RingAllReduce>> futures = new ArrayList<>();
      for (int r = 0; r < worldSize; r++) {
        int rank = r;
        futures.add(
            pool.submit(
                () ->
                    RingAllReduce.builder()
                        .setRank(rank)
                        .setPeers(peers)
                        .setServerSocket(servers.get(rank))
                        .optWireType(wire)
                        .build()));
      }
      List<RingAllReduce> ring = new ArrayList<>();
      for (Future<RingAllReduce> future : futures) {
        ring.add(future.get(2, TimeUnit.MINUTES));
      }
      return ring;
    } finally {
      pool.shutdownNow();
    }
  }

  private static double copyGigabytesPerSecond(FloatBuffer a, FloatBuffer b, int count) {
    int repeats = count < (16 << 20) ? 20 : 3;
    double best = Double.MAX_VALUE;
    for (int i = 0; i < repeats + 1; i++) {
      long begin = System.nanoTime();
      b.duplicate().clear().put(a.duplicate().clear().limit(count));
      double seconds = (System.nanoTime() - begin) / 1e9;
      if (i > 0) {
        best = Math.min(best, seconds);
      }
    }
    return (double) count * Float.BYTES / best / 1e9;
  }

  private record Costs(
      long bytes,
      double addF32,
      double addF16,
      double encodeF16,
      double decodeF16,
      double mean,
      double copyF32) {}

  /** CPU nanoseconds per element of each kernel, on up to 64 MiB of floats. */
  private static Costs measureKernels(FloatBuffer a, FloatBuffer b) {
    int count = (int) Math.min(a.capacity(), 16 * MIB);
    FloatBuffer dst = a.duplicate().clear().limit(count).slice();
    FloatBuffer src = b.duplicate().clear().limit(count).slice();
    ShortBuffer halves =
        ByteBuffer.allocateDirect(count * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
    WireKernels kernels = new WireKernels();
    double addF32 = best(count, () -> kernels.addF32(dst, 0, src, 0, count));
    double encode = best(count, () -> kernels.encodeF16(src, 0, count, halves));
    double addF16 = best(count, () -> kernels.addF16(dst, 0, halves, 0, count));
    double decode = best(count, () -> kernels.decodeF16(dst, 0, halves, 0, count));
    double mean = best(count, () -> kernels.mean(dst, 0, count, 4, false));
    double copy = best(count, () -> kernels.copyF32(dst, 0, src, 0, count));
    fill(dst, 0);
    return new Costs((long) count * Float.BYTES, addF32, addF16, encode, decode, mean, copy);
  }

  /**
   * CPU nanoseconds per element (this thread's CPU time, so that other load on the machine does not
   * inflate the figure), best of 3 after a warm-up of at least 64M elements.
   */
  private static double best(int count, Runnable kernel) {
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    double best = Double.MAX_VALUE;
    int warmUps = Math.max(3, (64 << 20) / count); // at least ~64M elements before timing (JIT)
    for (int i = 0; i < warmUps + 3; i++) {
      long begin = threads.getCurrentThreadCpuTime();
      kernel.run();
      double nanos = threads.getCurrentThreadCpuTime() - begin;
      if (i >= warmUps) {
        best = Math.min(best, nanos / count);
      }
    }
    return best;
  }

  /** Communication share of a step at the paper's scale, from link speed and measured costs. */
  private static void project(Costs costs) {
    int w = PAPER_RANKS;
    double n = PAPER_TRAINABLE_PARAMS;
    double bus = 2.0 * (w - 1) / w;
    double window = PAPER_COMPUTE_SECONDS * 2 / 3 / PAPER_MICRO_BATCHES;
    System.out.printf(
        Locale.ROOT,
        "%nprojection at the paper's scale: %.2fB trainable params (F16 = %.2f GB, the paper's"
            + " bf16 byte count), W = %d ranks, each sends and receives 2(W-1)/W of the gradient"
            + " per step; %.0f s compute per step; overlap window = backward of the last of %d"
            + " micro-batches = %.2f s%n",
        n / 1e9,
        n * 2 / 1e9,
        w,
        PAPER_COMPUTE_SECONDS,
        PAPER_MICRO_BATCHES,
        window);
    System.out.println(
        "wire link      wire GB  wire s  local s  comm s serial  comm s pipelined  share no"
            + " overlap  share overlapped");
    for (WireType wire : WireType.values()) {
      boolean half = wire == WireType.F16;
      double wireBytes = bus * n * wire.bytes();
      // Per rank and step (ns per element measured on one thread in this run): encode what it
      // sends, add (reduce-scatter) or decode/copy (all-gather) what it receives, one mean of its
      // own segment, the kernel's copies of the wire bytes in and out of the socket, and the
      // trainer's copy of the F32 gradients into the flat buffer and back.
      double kernels =
          (bus * n * (half ? costs.encodeF16 : costs.copyF32)
                  + (w - 1.0) / w * n * (half ? costs.addF16 : costs.addF32)
                  + (w - 1.0) / w * n * (half ? costs.decodeF16 : costs.copyF32)
                  + n / w * costs.mean)
              / 1e9;
      double socketCopies = 2 * wireBytes / Float.BYTES * costs.copyF32 / 1e9;
      double flatCopies = 2 * n * costs.copyF32 / 1e9;
      double local = kernels + socketCopies + flatCopies;
      for (double gbits : new double[] {25, 100}) {
        double seconds = wireBytes / (gbits / 8 * 1e9);
        double serial = seconds + local;
        // Pipelined: the ring's local work overlaps the wire; the flat-buffer copies do not.
        double pipelined = Math.max(seconds, kernels + socketCopies) + flatCopies;
        double noOverlap = pipelined / (pipelined + PAPER_COMPUTE_SECONDS);
        double exposed = Math.max(0, pipelined - window);
        double overlapped = exposed / (exposed + PAPER_COMPUTE_SECONDS);
        System.out.printf(
            Locale.ROOT,
            "%-4s %3.0f Gb/s %8.2f %7.2f %8.2f %14.2f %17.2f %15.1f%% %16.1f%%%n",
            wire,
            gbits,
            wireBytes / 1e9,
            seconds,
            local,
            serial,
            pipelined,
            noOverlap * 100,
            overlapped * 100);
      }
    }
    System.out.println(
        "(local s = all per-byte work on one thread; serial = wire + local; pipelined = max(wire,"
            + " ring work) + flat-buffer copies; share = comm / (comm + compute); overlapped ="
            + " only what outlasts the last micro-batch's backward is exposed; hiding it all"
            + " behind compute would give 0%)");
  }

  private static FloatBuffer direct(int count) {
    return ByteBuffer.allocateDirect(count * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer();
  }

  /** A cheap deterministic pattern, small enough for F16. */
  private static void fill(FloatBuffer buffer, int rank) {
    float[] pattern = new float[1 << 16];
    for (int i = 0; i < pattern.length; i++) {
      pattern[i] = ((i * 31 + rank * 17) % 1000) / 1000f - 0.5f;
    }
    FloatBuffer out = buffer.duplicate().clear();
    while (out.hasRemaining()) {
      out.put(pattern, 0, Math.min(pattern.length, out.remaining()));
    }
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static String human(long bytes) {
    return bytes >= (1L << 30) ? (bytes >> 30) + " GiB" : (bytes >> 20) + " MiB";
  }
}
