package org.llamapro.train.allreduce;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Queue;
import java.util.StringJoiner;

/**
 * The header exchange that starts every collective: each rank's (operation, call number, length)
 * travels once around the ring, so every rank learns every rank's header before any data moves. A
 * mismatch then fails all ranks alike with the same message, and since no data was sent the streams
 * stay in step and the ring stays usable.
 */
final class HeaderExchange implements Schedule {
  private final int worldSize;
  private final int[] ops;
  private final long[] sequences;
  private final long[] counts;
  private final boolean[] seen;
  private final long call;
  private final Queue<Outgoing> outbox;
  private final WireFrame received;
  private final RingFailures failures;
  private int headersReceived;

  /**
   * Queues this rank's own header; {@code received} is the frame the loop reads into, {@code
   * failures} raises protocol errors.
   */
  HeaderExchange(
      int rank,
      int worldSize,
      int op,
      long call,
      int count,
      Queue<Outgoing> outbox,
      WireFrame received,
      RingFailures failures) {
    this.worldSize = worldSize;
    this.ops = new int[worldSize];
    this.sequences = new long[worldSize];
    this.counts = new long[worldSize];
    this.seen = new boolean[worldSize];
    this.call = call;
    this.outbox = outbox;
    this.received = received;
    this.failures = failures;
    record(rank, op, call, count);
    outbox.add(Outgoing.call(rank, op, call, count));
  }

  private void record(int origin, int op, long sequence, long count) {
    ops[origin] = op;
    sequences[origin] = sequence;
    counts[origin] = count;
    seen[origin] = true;
  }

  @Override
  public boolean advance() {
    return headersReceived < worldSize - 1;
  }

  @Override
  public int expectedKind() {
    return Frames.CALL;
  }

  @Override
  public int expectedPayloadBytes() {
    return Frames.CALL_BYTES;
  }

  @Override
  public int elementBytes() {
    return Frames.CALL_BYTES;
  }

  @Override
  public void consume(int fromElement, int toElement) {}

  @Override
  public void complete() {
    ByteBuffer payload = received.bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    payload.position(Frames.HEADER_BYTES);
    int origin = payload.getInt();
    int op = payload.getInt();
    long sequence = payload.getLong();
    long count = payload.getLong();
    if (origin < 0 || origin >= worldSize || seen[origin]) {
      throw failures.protocolError("header of call #" + call + " names origin rank " + origin);
    }
    record(origin, op, sequence, count);
    headersReceived++;
    if (headersReceived < worldSize - 1) {
      outbox.add(Outgoing.call(origin, op, sequence, count)); // pass it on around the ring
    }
  }

  @Override
  public void encode(Outgoing out, WireFrame send) {
    ByteBuffer frame = send.bytes.clear();
    frame.putInt(Frames.CALL).putInt(Frames.CALL_BYTES);
    frame.putInt(out.origin()).putInt(out.op()).putLong(out.sequence()).putLong(out.length());
    frame.flip();
  }

  @Override
  public String describe() {
    return "header exchange of call #" + call;
  }

  /** After the exchange: fails when the ranks did not make the same call with the same length. */
  void check() {
    for (int r = 0; r < worldSize; r++) {
      if (ops[r] != ops[0] || sequences[r] != sequences[0]) {
        StringJoiner all = new StringJoiner(", ");
        for (int i = 0; i < worldSize; i++) {
          all.add("rank " + i + " called " + Frames.opName(ops[i]) + " as call #" + sequences[i]);
        }
        throw new IllegalStateException(
            "Collective mismatch at call #"
                + call
                + ": every rank must make the same calls in the same order, but "
                + all);
      }
    }
    for (int r = 0; r < worldSize; r++) {
      if (counts[r] != counts[0]) {
        StringJoiner all = new StringJoiner(", ");
        for (int i = 0; i < worldSize; i++) {
          all.add("rank " + i + " has " + counts[i]);
        }
        throw new IllegalArgumentException(
            "Buffer length mismatch in all-reduce call #"
                + call
                + ": every rank must pass the same number of floats, but "
                + all);
      }
    }
  }
}
