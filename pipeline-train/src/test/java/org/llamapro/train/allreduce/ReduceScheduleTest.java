package org.llamapro.train.allreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real schedules, kernels and frame encoding of W ranks, with the sockets replaced by queues of
 * frames in memory: what the event loop would do, one frame at a time.
 */
class ReduceScheduleTest {
  static Stream<Arguments> shapes() {
    return IntStream.rangeClosed(2, 5)
        .boxed()
        .flatMap(
            w ->
                Stream.of(WireType.F32, WireType.F16)
                    .flatMap(wire -> Stream.of(1, 3, 10_007).map(n -> Arguments.of(w, wire, n))));
  }

  @ParameterizedTest(name = "W={0}, {1}, {2} floats")
  @MethodSource("shapes")
  void inMemoryRingComputesBitIdenticalMeans(int worldSize, WireType wire, int count) {
    // 1 KiB chunks, 8 KiB buckets: several buckets, segments of several chunks, uneven tails.
    AllReduceConfig config =
        AllReduceConfig.builder()
            .optWireType(wire)
            .optChunkBytes(1024)
            .optBucketBytes(8192)
            .build();
    List<float[]> inputs = new ArrayList<>();
    List<FloatBuffer> buffers = new ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      FloatBuffer buffer = Ranks.randomBuffer(count, 77L * worldSize + r);
      inputs.add(Ranks.toArray(buffer));
      buffers.add(buffer);
    }
    int frames = runInMemory(worldSize, config, buffers);
    assertTrue(frames > 0);
    Ranks.assertMeans(inputs, buffers, wire == WireType.F32 ? Ranks.F32 : Ranks.F16);
  }

  @Test
  void describeNamesCallLengthPhaseAndBucket() {
    AllReduceConfig config = AllReduceConfig.builder().optChunkBytes(1024).build();
    ReduceSchedule schedule =
        new ReduceSchedule(
            0,
            3,
            config,
            Ranks.direct(600),
            7,
            new ArrayDeque<>(),
            new WireFrame(1024),
            new WireKernels());
    schedule.advance();
    assertEquals(
        "all-reduce call #7 of 600 floats (reduce-scatter step 1/2, bucket 1/1)",
        schedule.describe());
    assertEquals(200 * Float.BYTES, schedule.expectedPayloadBytes());
  }

  /**
   * Moves frames until every schedule is done; returns how many frames travelled. Each received
   * frame is consumed in two pieces, as it would arrive from a socket.
   */
  private static int runInMemory(int worldSize, AllReduceConfig config, List<FloatBuffer> data) {
    WireKernels kernels = new WireKernels();
    List<ArrayDeque<Outgoing>> outboxes = new ArrayList<>();
    List<ArrayDeque<byte[]>> wires = new ArrayList<>(); // wires[r]: frames on their way to r
    List<WireFrame> sending = new ArrayList<>();
    List<WireFrame> receiving = new ArrayList<>();
    List<ReduceSchedule> schedules = new ArrayList<>();
    boolean[] expecting = new boolean[worldSize];
    for (int r = 0; r < worldSize; r++) {
      outboxes.add(new ArrayDeque<>());
      wires.add(new ArrayDeque<>());
      sending.add(new WireFrame(config.chunkBytes()));
      receiving.add(new WireFrame(config.chunkBytes()));
      schedules.add(
          new ReduceSchedule(
              r,
              worldSize,
              config,
              data.get(r).slice(),
              1,
              outboxes.get(r),
              receiving.get(r),
              kernels));
      expecting[r] = schedules.get(r).advance();
    }
    int frames = 0;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int r = 0; r < worldSize; r++) {
        Outgoing out = outboxes.get(r).poll();
        if (out != null) {
          schedules.get(r).encode(out, sending.get(r));
          ByteBuffer frame = sending.get(r).bytes;
          byte[] bytes = new byte[frame.remaining()];
          frame.get(bytes);
          wires.get((r + 1) % worldSize).add(bytes);
          progress = true;
        }
      }
      for (int r = 0; r < worldSize; r++) {
        if (expecting[r] && !wires.get(r).isEmpty()) {
          ReduceSchedule schedule = schedules.get(r);
          byte[] bytes = wires.get(r).poll();
          ByteBuffer frame = receiving.get(r).bytes.clear();
          frame.put(bytes);
          assertEquals(Frames.DATA, frame.getInt(0));
          assertEquals(schedule.expectedPayloadBytes(), frame.getInt(4));
          assertEquals(Frames.HEADER_BYTES + schedule.expectedPayloadBytes(), bytes.length);
          int elements = schedule.expectedPayloadBytes() / schedule.elementBytes();
          schedule.consume(0, elements / 2);
          schedule.consume(elements / 2, elements);
          schedule.complete();
          expecting[r] = schedule.advance();
          frames++;
          progress = true;
        }
      }
    }
    for (int r = 0; r < worldSize; r++) {
      assertTrue(!expecting[r], "rank " + r + " still expects a frame");
      assertTrue(wires.get(r).isEmpty(), "frames left on the way to rank " + r);
      assertTrue(outboxes.get(r).isEmpty(), "frames left in rank " + r + "'s outbox");
    }
    return frames;
  }
}
