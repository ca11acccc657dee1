package org.llamapro.train.allreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Ranks are threads of this JVM talking real TCP over 127.0.0.1. */
@Timeout(120)
class RingAllReduceTest {
  private static final int CHUNK = 64 << 10; // many chunks per segment for the large buffers

  static Stream<Arguments> worldSizesAndLengths() {
    return IntStream.rangeClosed(1, 5)
        .boxed()
        .flatMap(w -> Stream.of(1, 2, 3, 7, 1_000_003).map(n -> Arguments.of(w, n)));
  }

  @ParameterizedTest(name = "W={0}, {1} floats")
  @MethodSource("worldSizesAndLengths")
  void f32MeanMatchesPlainSum(int worldSize, int count) {
    reduceAndCheck(worldSize, count, WireType.F32, CHUNK, 256L << 20, Ranks.F32);
  }

  @ParameterizedTest(name = "W={0}, {1} floats")
  @MethodSource("worldSizesAndLengths")
  void f16MeanMatchesPlainSumWithinHalfPrecision(int worldSize, int count) {
    List<FloatBuffer> results =
        reduceAndCheck(worldSize, count, WireType.F16, CHUNK, 256L << 20, Ranks.F16);
    if (worldSize > 1) {
      // Proof that F16 really travelled: every result is exactly a binary16 value.
      float[] values = Ranks.toArray(results.get(0));
      for (int i = 0; i < values.length; i++) {
        assertEquals(Float16.round(values[i]), values[i], "element " + i + " is not a binary16");
      }
    }
  }

  @Test
  void manySmallBucketsAndChunks() {
    // 1 KiB chunks and 4 KiB buckets: 10007 floats make 10 buckets of 1024 floats (the last one
    // shorter), each segment several chunks.
    reduceAndCheck(3, 10_007, WireType.F32, 1024, 4096, Ranks.F32);
    reduceAndCheck(4, 10_007, WireType.F16, 1024, 4096, Ranks.F16);
  }

  @Test
  void singleRankRingNeedsNoSocketAndLeavesTheBufferAlone() {
    try (RingAllReduce ring =
        RingAllReduce.builder()
            .setRank(0)
            .setPeers(List.of(new PeerAddress("127.0.0.1", 1)))
            .build()) {
      FloatBuffer buffer = Ranks.randomBuffer(5, 1);
      float[] before = Ranks.toArray(buffer);
      ring.allReduceMean(buffer);
      ring.barrier();
      assertEquals(1, ring.worldSize());
      assertTrue(java.util.Arrays.equals(before, Ranks.toArray(buffer)));
    }
  }

  @Test
  void manyStepsOnTheSameRing() {
    int worldSize = 3;
    int steps = 60;
    int count = 5_001;
    List<RingAllReduce> rings = Ranks.ring(worldSize, b -> b.optChunkBytes(4096));
    try {
      for (int step = 0; step < steps; step++) {
        List<float[]> inputs = new ArrayList<>();
        List<FloatBuffer> buffers = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
          FloatBuffer buffer = Ranks.randomBuffer(count, step * 100L + r);
          inputs.add(Ranks.toArray(buffer));
          buffers.add(buffer);
        }
        boolean withBarrier = step % 10 == 0;
        Ranks.run(
                worldSize,
                rank -> {
                  if (withBarrier) {
                    rings.get(rank).barrier();
                  }
                  rings.get(rank).allReduceMean(buffers.get(rank));
                  return null;
                })
            .forEach(Ranks.Outcome::get);
        Ranks.assertMeans(inputs, buffers, Ranks.F32);
      }
    } finally {
      Ranks.closeAll(rings);
    }
  }

  @Test
  void reducesOnlyBetweenPositionAndLimit() {
    List<RingAllReduce> rings = Ranks.ring(2, b -> b);
    try {
      List<FloatBuffer> buffers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        FloatBuffer buffer = Ranks.direct(10);
        for (int i = 0; i < 10; i++) {
          buffer.put(i, r * 10 + i);
        }
        buffers.add(buffer.position(2).limit(5));
      }
      Ranks.run(
              2,
              rank -> {
                rings.get(rank).allReduceMean(buffers.get(rank));
                return null;
              })
          .forEach(Ranks.Outcome::get);
      FloatBuffer rank1 = buffers.get(1);
      assertEquals(2, rank1.position());
      assertEquals(5, rank1.limit());
      assertEquals(11f, rank1.get(1)); // untouched
      assertEquals(7f, rank1.get(2)); // (2 + 12) / 2
      assertEquals(9f, rank1.get(4)); // (4 + 14) / 2
      assertEquals(15f, rank1.duplicate().clear().get(5)); // untouched
    } finally {
      Ranks.closeAll(rings);
    }
  }

  @Test
  void mismatchedLengthsFailEveryRankAndLeaveTheRingUsable() {
    int worldSize = 3;
    List<RingAllReduce> rings = Ranks.ring(worldSize, b -> b);
    try {
      int[] lengths = {100, 100, 101};
      List<Ranks.Outcome<Object>> outcomes =
          Ranks.run(
              worldSize,
              rank -> {
                rings.get(rank).allReduceMean(Ranks.direct(lengths[rank]));
                return null;
              });
      for (Ranks.Outcome<Object> outcome : outcomes) {
        IllegalArgumentException e =
            assertInstanceOf(IllegalArgumentException.class, outcome.error());
        assertEquals(
            "Buffer length mismatch in all-reduce call #1: every rank must pass the same number of"
                + " floats, but rank 0 has 100, rank 1 has 100, rank 2 has 101",
            e.getMessage());
      }
      // Nothing was sent after the headers, so the next call works.
      List<float[]> inputs = new ArrayList<>();
      List<FloatBuffer> buffers = new ArrayList<>();
      for (int r = 0; r < worldSize; r++) {
        buffers.add(Ranks.randomBuffer(100, r));
        inputs.add(Ranks.toArray(buffers.get(r)));
      }
      Ranks.run(
              worldSize,
              rank -> {
                rings.get(rank).allReduceMean(buffers.get(rank));
                return null;
              })
          .forEach(Ranks.Outcome::get);
      Ranks.assertMeans(inputs, buffers, Ranks.F32);
    } finally {
      Ranks.closeAll(rings);
    }
  }

  @Test
  void mismatchedOperationsFailEveryRank() {
    List<RingAllReduce> rings = Ranks.ring(2, b -> b);
    try {
      List<Ranks.Outcome<Object>> outcomes =
          Ranks.run(
              2,
              rank -> {
                if (rank == 0) {
                  rings.get(rank).allReduceMean(Ranks.direct(4));
                } else {
                  rings.get(rank).barrier();
                }
                return null;
              });
      for (Ranks.Outcome<Object> outcome : outcomes) {
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcome.error());
        assertEquals(
            "Collective mismatch at call #1: every rank must make the same calls in the same order,"
                + " but rank 0 called allReduceMean() as call #1, rank 1 called barrier() as call #1",
            e.getMessage());
      }
    } finally {
      Ranks.closeAll(rings);
    }
  }

  @Test
  void aRankThatNeverCallsFailsTheOthersWithinTheTimeout() {
    int worldSize = 3;
    Duration timeout = Duration.ofSeconds(2);
    List<RingAllReduce> rings = Ranks.ring(worldSize, b -> b.optTimeout(timeout));
    PeerAddress stuck = rings.get(2).peers().get(2);
    try {
      List<Ranks.Outcome<Object>> outcomes =
          Ranks.run(
              2,
              rank -> {
                rings.get(rank).allReduceMean(Ranks.randomBuffer(100_000, rank));
                return null;
              });
      for (int rank = 0; rank < 2; rank++) {
        Ranks.Outcome<Object> outcome = outcomes.get(rank);
        AllReduceException e = assertInstanceOf(AllReduceException.class, outcome.error());
        assertTrue(
            outcome.millis() < timeout.toMillis() + 2_000,
            "rank " + rank + " took " + outcome.millis() + " ms");
        assertTrue(
            e.getMessage().contains("rank 2 (" + stuck + ")"),
            "rank " + rank + " should name the stuck rank: " + e.getMessage());
      }
      String rank0 = outcomes.get(0).error().getMessage();
      assertTrue(
          rank0.startsWith(
              "Rank 0: timed out after 2 s waiting for data from rank 2 ("
                  + stuck
                  + ") (nothing arrived) during header exchange of call #1"),
          rank0);
      // The ring stays broken, with the first reason.
      AllReduceException again =
          assertThrows(AllReduceException.class, () -> rings.get(0).allReduceMean(Ranks.direct(1)));
      assertTrue(
          again.getMessage().contains("unusable after an earlier failure"), again.getMessage());
    } finally {
      Ranks.closeAll(rings);
    }
  }

  @Test
  void aClosedPeerFailsTheOthersAtOnce() {
    int worldSize = 4;
    List<RingAllReduce> rings = Ranks.ring(worldSize, b -> b.optTimeout(Duration.ofSeconds(30)));
    PeerAddress closed = rings.get(1).peers().get(1);
    try {
      List<Ranks.Outcome<Object>> outcomes =
          Ranks.run(
              worldSize,
              rank -> {
                if (rank == 1) {
                  Thread.sleep(200); // the others are mid-call
                  rings.get(rank).close();
                } else {
                  rings.get(rank).allReduceMean(Ranks.randomBuffer(1_000_003, rank));
                }
                return null;
              });
      for (int rank : new int[] {0, 2, 3}) {
        Ranks.Outcome<Object> outcome = outcomes.get(rank);
        AllReduceException e = assertInstanceOf(AllReduceException.class, outcome.error());
        assertTrue(outcome.millis() < 5_000, "rank " + rank + " took " + outcome.millis() + " ms");
        assertTrue(
            e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("rank 1 (" + closed + ")"),
            "rank " + rank + " should name the closed rank: " + e.getMessage());
      }
      // Rank 1 said goodbye before closing; the others quote it (directly or passed on).
      for (int rank : new int[] {0, 2, 3}) {
        String message = outcomes.get(rank).error().getMessage();
        assertTrue(
            message.contains(": Rank 1 (" + closed + ") closed its all-reduce (idle)"), message);
      }
    } finally {
      Ranks.closeAll(rings);
    }
  }

  @Test
  void aPeerThatDiesMidTransferFailsTheOthersAtOnce() {
    int worldSize = 3;
    // Rank 1's connections run through proxies the test cuts mid-transfer: ranks 0 and 2 lose it
    // without an ABORT, as when its host dies.
    List<ServerSocketChannel> servers = Ranks.listen(worldSize);
    List<PeerAddress> real = Ranks.addresses(servers);
    try (CuttableProxy intoRank1 = new CuttableProxy(real.get(1));
        CuttableProxy outOfRank1 = new CuttableProxy(real.get(2))) {
      PeerAddress dead = intoRank1.address(); // rank 1's address as ranks 0 and 2 know it
      List<List<PeerAddress>> peersOf =
          List.of(
              List.of(real.get(0), dead, real.get(2)),
              List.of(real.get(0), real.get(1), outOfRank1.address()),
              List.of(real.get(0), dead, real.get(2)));
      List<RingAllReduce> rings =
          Ranks.ring(
              servers,
              peersOf::get,
              b -> b.optTimeout(Duration.ofSeconds(30)).optChunkBytes(16 << 10));
      try {
        List<Ranks.Outcome<Integer>> outcomes =
            Ranks.run(
                worldSize + 1,
                rank -> {
                  if (rank == worldSize) { // the killer
                    Thread.sleep(300);
                    intoRank1.cut();
                    outOfRank1.cut();
                    return 0;
                  }
                  FloatBuffer buffer = Ranks.randomBuffer(1_000_003, rank);
                  for (int call = 1; call <= 10_000; call++) {
                    rings.get(rank).allReduceMean(buffer);
                  }
                  return -1;
                });
        for (int rank : new int[] {0, 2}) {
          Ranks.Outcome<Integer> outcome = outcomes.get(rank);
          AllReduceException e = assertInstanceOf(AllReduceException.class, outcome.error());
          assertTrue(
              outcome.millis() < 5_000, "rank " + rank + " took " + outcome.millis() + " ms");
          assertTrue(
              e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("rank 1 (" + dead + ")"),
              "rank " + rank + " should name the dead rank: " + e.getMessage());
        }
      } finally {
        Ranks.closeAll(rings);
      }
    }
  }

  @Test
  void aResetFromTheNextRankWhileWaitingNamesThatRank() {
    // Rank 0 has sent its header and waits for rank 1, which is not calling yet; then the
    // connection to rank 1 is reset. Rank 0 notices on the socket it only sends on.
    List<ServerSocketChannel> servers = Ranks.listen(2);
    List<PeerAddress> real = Ranks.addresses(servers);
    try (CuttableProxy intoRank1 = new CuttableProxy(real.get(1))) {
      PeerAddress rank1 = intoRank1.address();
      List<List<PeerAddress>> peersOf = List.of(List.of(real.get(0), rank1), real);
      List<RingAllReduce> rings =
          Ranks.ring(servers, peersOf::get, b -> b.optTimeout(Duration.ofSeconds(30)));
      try {
        List<Ranks.Outcome<Object>> outcomes =
            Ranks.run(
                2,
                rank -> {
                  if (rank == 1) { // not calling: cuts its incoming connection instead
                    Thread.sleep(300);
                    intoRank1.cut();
                    return null;
                  }
                  rings.get(0).allReduceMean(Ranks.direct(1000));
                  return null;
                });
        Ranks.Outcome<Object> outcome = outcomes.get(0);
        AllReduceException e = assertInstanceOf(AllReduceException.class, outcome.error());
        assertTrue(outcome.millis() < 5_000, "took " + outcome.millis() + " ms");
        String message = e.getMessage();
        assertTrue(
            message.startsWith("Rank 0: lost the connection to rank 1 (" + rank1 + ")")
                || message.startsWith("Rank 0: rank 1 (" + rank1 + ") closed its connection"),
            message);
        assertTrue(message.contains("during header exchange of call #1"), message);
      } finally {
        Ranks.closeAll(rings);
      }
    }
  }

  @Test
  void connectingToNobodyTimesOutNamingThePeer() throws IOException {
    List<ServerSocketChannel> servers = Ranks.listen(2);
    List<PeerAddress> peers = Ranks.addresses(servers);
    servers.get(1).close(); // rank 1 never comes up
    long start = System.nanoTime();
    AllReduceException e =
        assertThrows(
            AllReduceException.class,
            () ->
                RingAllReduce.builder()
                    .setRank(0)
                    .setPeers(peers)
                    .setServerSocket(servers.get(0))
                    .optTimeout(Duration.ofSeconds(1))
                    .build());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis >= 900 && millis < 4_000, "took " + millis + " ms");
    assertTrue(
        e.getMessage()
            .startsWith("Rank 0: timed out after 1 s connecting to rank 1 (" + peers.get(1) + ")"),
        e.getMessage());
    assertFalse(servers.get(0).isOpen(), "the ring owns the server socket and closed it");
  }

  @Test
  void ranksWithDifferentSettingsRefuseToConnect() {
    List<ServerSocketChannel> servers = Ranks.listen(2);
    List<PeerAddress> peers = Ranks.addresses(servers);
    List<Ranks.Outcome<RingAllReduce>> outcomes =
        Ranks.run(
            2,
            rank ->
                RingAllReduce.builder()
                    .setRank(rank)
                    .setPeers(peers)
                    .setServerSocket(servers.get(rank))
                    .optWireType(rank == 0 ? WireType.F32 : WireType.F16)
                    .optTimeout(Duration.ofSeconds(5))
                    .build());
    for (int rank = 0; rank < 2; rank++) {
      Throwable error = outcomes.get(rank).error();
      assertNotNull(error, "rank " + rank + " must not connect");
      if (outcomes.get(rank).value() != null) {
        outcomes.get(rank).value().close();
      }
    }
    String rank0 = outcomes.get(0).error().getMessage();
    assertTrue(
        rank0.startsWith(
            "Rank 0: ring handshake with rank 1 ("
                + peers.get(1)
                + ") failed: all ranks must agree;"
                + " wire type F16 there, F32 here (train.allreduce.wire-dtype)"),
        rank0);
  }

  @Test
  void builderNamesBadArguments() throws IOException {
    List<PeerAddress> peers =
        List.of(new PeerAddress("127.0.0.1", 40001), new PeerAddress("127.0.0.1", 40002));
    IllegalArgumentException badRank =
        assertThrows(
            IllegalArgumentException.class,
            () -> RingAllReduce.builder().setRank(2).setPeers(peers).build());
    assertEquals("Invalid rank: 2 (must be 0..1 for 2 peers)", badRank.getMessage());

    IllegalArgumentException noServer =
        assertThrows(
            IllegalArgumentException.class,
            () -> RingAllReduce.builder().setRank(0).setPeers(peers).build());
    assertEquals(
        "Server socket is not set (setServerSocket), needed with 2 ranks", noServer.getMessage());

    IllegalArgumentException duplicate =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RingAllReduce.builder()
                    .setRank(0)
                    .setPeers(List.of(peers.get(0), peers.get(0)))
                    .build());
    assertEquals(
        "Invalid peers: 127.0.0.1:40001 appears twice (at rank 1): [127.0.0.1:40001,"
            + " 127.0.0.1:40001]",
        duplicate.getMessage());

    IllegalArgumentException chunk =
        assertThrows(
            IllegalArgumentException.class,
            () -> RingAllReduce.builder().setRank(0).setPeers(peers).optChunkBytes(10).build());
    assertEquals(
        "Invalid all-reduce chunk size: 10 bytes (must be 1024..268435456)", chunk.getMessage());

    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      IllegalArgumentException wrongPort =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  RingAllReduce.builder()
                      .setRank(0)
                      .setPeers(peers)
                      .setServerSocket(server)
                      .build());
      assertEquals(
          "Rank 0 listens on port "
              + port
              + " but its published address is 127.0.0.1:40001 (peers[rank] must be this rank's"
              + " own address)",
          wrongPort.getMessage());
    }
  }

  /** Runs one all-reduce on a fresh ring and checks it; returns the results. */
  private static List<FloatBuffer> reduceAndCheck(
      int worldSize,
      int count,
      WireType wire,
      int chunkBytes,
      long bucketBytes,
      Ranks.Tolerance tolerance) {
    List<RingAllReduce> rings =
        Ranks.ring(
            worldSize,
            b -> b.optWireType(wire).optChunkBytes(chunkBytes).optBucketBytes(bucketBytes));
    try {
      List<float[]> inputs = new ArrayList<>();
      List<FloatBuffer> buffers = new ArrayList<>();
      for (int r = 0; r < worldSize; r++) {
        FloatBuffer buffer = Ranks.randomBuffer(count, 1000L * worldSize + r);
        inputs.add(Ranks.toArray(buffer));
        buffers.add(buffer);
      }
      Ranks.run(
              worldSize,
              rank -> {
                rings.get(rank).allReduceMean(buffers.get(rank));
                return null;
              })
          .forEach(Ranks.Outcome::get);
      Ranks.assertMeans(inputs, buffers, tolerance);
      return buffers;
    } finally {
      Ranks.closeAll(rings);
    }
  }
}
