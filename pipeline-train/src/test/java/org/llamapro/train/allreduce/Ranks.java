package org.llamapro.train.allreduce;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Test helpers: ranks as threads of this JVM, rings over 127.0.0.1, data and expected means. */
final class Ranks {
  private Ranks() {}

  /** What one rank's body returned or threw, and how long it took. */
  record Outcome<T>(T value, Throwable error, long millis) {
    T get() {
      if (error != null) {
        throw new AssertionError("rank failed: " + error, error);
      }
      return value;
    }
  }

  @FunctionalInterface
  interface Body<T> {
    T run(int rank) throws Exception;
  }

  /** Runs {@code body(rank)} for every rank on its own thread, all at once. */
  static <T> List<Outcome<T>> run(int worldSize, Body<T> body) {
    ExecutorService pool = Executors.newFixedThreadPool(worldSize);
    try {
      List<Future<Outcome<T>>> futures = new ArrayList<>();
      for (int r = 0; r < worldSize; r++) {
        int rank = r;
        futures.add(
            pool.submit(
                () -> {
                  long start = System.nanoTime();
                  try {
                    T value = body.run(rank);
                    return new Outcome<>(value, null, elapsedMillis(start));
                  } catch (Throwable e) {
                    return new Outcome<T>(null, e, elapsedMillis(start));
                  }
                }));
      }
      List<Outcome<T>> outcomes = new ArrayList<>();
      for (Future<Outcome<T>> future : futures) {
        outcomes.add(future.get(120, TimeUnit.SECONDS));
      }
      return outcomes;
    } catch (Exception e) {
      throw new AssertionError("ranks did not finish: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static long elapsedMillis(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  /** Binds one listening socket per rank on 127.0.0.1 (ephemeral ports). */
  static List<ServerSocketChannel> listen(int worldSize) {
    List<ServerSocketChannel> servers = new ArrayList<>();
    try {
      for (int r = 0; r < worldSize; r++) {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        servers.add(server);
      }
      return servers;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<PeerAddress> addresses(List<ServerSocketChannel> servers) {
    List<PeerAddress> peers = new ArrayList<>();
    for (ServerSocketChannel server : servers) {
      try {
        peers.add(
            new PeerAddress("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return List.copyOf(peers);
  }

  /**
   * Connects a ring of {@code worldSize} ranks over loopback; {@code options} tunes each builder.
   */
  static List<RingAllReduce> ring(int worldSize, UnaryOperator<RingAllReduce.Builder> options) {
    List<ServerSocketChannel> servers = listen(worldSize);
    List<PeerAddress> peers = addresses(servers);
    return ring(servers, rank -> peers, options);
  }

  /**
   * Connects a ring on {@code servers} where rank r knows the others by {@code peersOf(r)} (e.g. a
   * proxy's address in place of a rank's own).
   */
  static List<RingAllReduce> ring(
      List<ServerSocketChannel> servers,
      java.util.function.IntFunction<List<PeerAddress>> peersOf,
      UnaryOperator<RingAllReduce.Builder> options) {
    List<Outcome<RingAllReduce>> built =
        run(
            servers.size(),
            rank ->
                options
                    .apply(
                        RingAllReduce.builder()
                            .setRank(rank)
                            .setPeers(peersOf.apply(rank))
                            .setServerSocket(servers.get(rank)))
                    .build());
    List<RingAllReduce> rings = new ArrayList<>();
    for (Outcome<RingAllReduce> outcome : built) {
      rings.add(outcome.get());
    }
    return rings;
  }

  static void closeAll(List<? extends AllReduce> members) {
    for (AllReduce member : members) {
      member.close();
    }
  }

  /** A direct little-endian buffer of {@code count} seeded floats in [-1, 1). */
  static FloatBuffer randomBuffer(int count, long seed) {
    FloatBuffer buffer = direct(count);
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      buffer.put(i, random.nextFloat() * 2 - 1);
    }
    return buffer;
  }

  static FloatBuffer direct(int count) {
    return ByteBuffer.allocateDirect(count * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer();
  }

  static float[] toArray(FloatBuffer buffer) {
    float[] values = new float[buffer.remaining()];
    buffer.duplicate().get(values);
    return values;
  }

  /** Checks every rank's result against the mean computed in double, within a bound per element. */
  static void assertMeans(List<float[]> inputs, List<FloatBuffer> results, Tolerance tolerance) {
    int worldSize = inputs.size();
    int count = inputs.get(0).length;
    float[] first = toArray(results.get(0));
    for (int r = 1; r < worldSize; r++) {
      float[] other = toArray(results.get(r));
      for (int i = 0; i < count; i++) {
        if (Float.floatToRawIntBits(other[i]) != Float.floatToRawIntBits(first[i])) {
          throw new AssertionError(
              "rank "
                  + r
                  + " differs from rank 0 at element "
                  + i
                  + ": "
                  + other[i]
                  + " vs "
                  + first[i]
                  + " (replicas must stay bit-identical)");
        }
      }
    }
    for (int i = 0; i < count; i++) {
      double sum = 0;
      double sumAbs = 0;
      for (float[] input : inputs) {
        sum += input[i];
        sumAbs += Math.abs(input[i]);
      }
      double mean = sum / worldSize;
      double bound = tolerance.bound(worldSize, sumAbs, Math.abs(mean));
      if (!(Math.abs(first[i] - mean) <= bound)) {
        throw new AssertionError(
            "element "
                + i
                + " of "
                + count
                + ": got "
                + first[i]
                + ", expected "
                + mean
                + " +/- "
                + bound
                + " (W="
                + worldSize
                + ")");
      }
    }
  }

  /** Largest allowed |result - exact mean| for one element. */
  @FunctionalInterface
  interface Tolerance {
    double bound(int worldSize, double sumAbs, double absMean);
  }

  private static final double F32_UNIT = 0x1p-24;
  private static final double F16_UNIT = 0x1p-11;
  private static final double F16_SUBNORMAL_HALF_STEP = 0x1p-25;

  /** Float sums in some order: at most (W - 1) roundings of partial sums plus one division. */
  static final Tolerance F32 = (w, sumAbs, absMean) -> F32_UNIT * (sumAbs + absMean) + 1e-30;

  /**
   * F16 wire: each of the W - 1 hops rounds a partial sum (|partial| <= sum |x|) to 11 significant
   * bits (or to the subnormal grid), the mean is rounded once more, plus the F32 bound.
   */
  static final Tolerance F16 =
      (w, sumAbs, absMean) ->
          ((w - 1) * (F16_UNIT * sumAbs + F16_SUBNORMAL_HALF_STEP)) / w
              + F16_UNIT * absMean
              + F16_SUBNORMAL_HALF_STEP
              + F32.bound(w, sumAbs, absMean);
}
