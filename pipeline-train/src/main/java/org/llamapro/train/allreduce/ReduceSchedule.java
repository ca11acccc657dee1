package org.llamapro.train.allreduce;

import java.nio.FloatBuffer;
import java.util.Queue;

/**
 * The data of one all-reduce call moved along a {@link ReducePlan}: received chunks are added to
 * (reduce-scatter) or copied into (all-gather) the caller's buffer as their elements arrive, the
 * rank that completes a segment takes the mean once, and outgoing chunks are encoded from the
 * buffer in the wire type when the loop sends them.
 */
final class ReduceSchedule implements Schedule {
  private final FloatBuffer data;
  private final long call;
  private final int worldSize;
  private final WireType wire;
  private final ReducePlan plan;
  private final WireFrame received;
  private final WireKernels kernels;

  /**
   * {@code data} is the caller's buffer (index 0 = its position); {@code received} is the frame the
   * loop reads into; frames to send go to {@code outbox}.
   */
  ReduceSchedule(
      int rank,
      int worldSize,
      AllReduceConfig config,
      FloatBuffer data,
      long call,
      Queue<Outgoing> outbox,
      WireFrame received,
      WireKernels kernels) {
    this.data = data;
    this.call = call;
    this.worldSize = worldSize;
    this.wire = config.wireType();
    this.received = received;
    this.kernels = kernels;
    int chunkElements = config.chunkBytes() / wire.bytes();
    int bucketElements = (int) Math.min(Integer.MAX_VALUE, config.bucketBytes() / Float.BYTES);
    this.plan =
        new ReducePlan(rank, worldSize, data.remaining(), bucketElements, chunkElements, outbox);
  }

  @Override
  public boolean advance() {
    return plan.advance();
  }

  @Override
  public int expectedKind() {
    return Frames.DATA;
  }

  @Override
  public int expectedPayloadBytes() {
    return plan.chunkLength() * wire.bytes();
  }

  @Override
  public int elementBytes() {
    return wire.bytes();
  }

  @Override
  public void consume(int from, int to) {
    int chunkStart = plan.chunkStart();
    if (wire == WireType.F32) {
      if (plan.reducing()) {
        kernels.addF32(data, chunkStart, received.floats, from, to);
      } else {
        kernels.copyF32(data, chunkStart, received.floats, from, to);
      }
    } else if (plan.reducing()) {
      kernels.addF16(data, chunkStart, received.halves, from, to);
    } else {
      kernels.decodeF16(data, chunkStart, received.halves, from, to);
    }
  }

  @Override
  public void complete() {
    if (plan.finishesSegment()) {
      // Our segment is now the sum over all ranks: take the mean once, and on an F16 wire keep
      // exactly what the others will receive, so all ranks end bit-identical.
      kernels.mean(data, plan.chunkStart(), plan.chunkLength(), worldSize, wire == WireType.F16);
    }
    plan.complete();
  }

  @Override
  public void encode(Outgoing out, WireFrame send) {
    int payloadBytes = out.length() * wire.bytes();
    send.bytes.clear();
    send.bytes.putInt(0, Frames.DATA).putInt(4, payloadBytes);
    if (wire == WireType.F32) {
      kernels.encodeF32(data, out.start(), out.length(), send.floats);
    } else {
      kernels.encodeF16(data, out.start(), out.length(), send.halves);
    }
    send.bytes.position(0).limit(Frames.HEADER_BYTES + payloadBytes);
  }

  @Override
  public String describe() {
    return "all-reduce call #"
        + call
        + " of "
        + data.remaining()
        + " floats ("
        + plan.position()
        + ")";
  }
}
