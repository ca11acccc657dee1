package org.llamapro.train.allreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The header exchange of W ranks with frames passed around in memory. */
class HeaderExchangeTest {
  /** Runs the exchange for headers (op, call, count) per rank; returns each rank's exchange. */
  private static List<HeaderExchange> exchange(int[] ops, long[] calls, int[] counts) {
    int worldSize = ops.length;
    List<ArrayDeque<Outgoing>> outboxes = new ArrayList<>();
    List<WireFrame> received = new ArrayList<>();
    List<HeaderExchange> exchanges = new ArrayList<>();
    for (int r = 0; r < worldSize; r++) {
      outboxes.add(new ArrayDeque<>());
      received.add(new WireFrame(Frames.CALL_BYTES));
      exchanges.add(
          new HeaderExchange(
              r, worldSize, ops[r], calls[r], counts[r], outboxes.get(r), received.get(r), null));
    }
    WireFrame sending = new WireFrame(Frames.CALL_BYTES);
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int r = 0; r < worldSize; r++) {
        Outgoing out = outboxes.get(r).poll();
        int next = (r + 1) % worldSize;
        if (out != null) {
          assertEquals(true, exchanges.get(next).advance(), "rank " + next + " expects a header");
          exchanges.get(r).encode(out, sending);
          ByteBuffer frame = received.get(next).bytes.clear();
          frame.put(sending.bytes);
          assertEquals(Frames.CALL, frame.getInt(0));
          assertEquals(Frames.CALL_BYTES, frame.getInt(4));
          exchanges.get(next).complete();
          progress = true;
        }
      }
    }
    for (int r = 0; r < worldSize; r++) {
      assertEquals(false, exchanges.get(r).advance(), "rank " + r + " still expects a header");
      assertEquals(0, outboxes.get(r).size(), "rank " + r + " has headers left to send");
    }
    return exchanges;
  }

  @Test
  void matchingHeadersPassOnEveryRank() {
    int[] ops = {Frames.OP_ALL_REDUCE, Frames.OP_ALL_REDUCE, Frames.OP_ALL_REDUCE};
    for (HeaderExchange exchange : exchange(ops, new long[] {4, 4, 4}, new int[] {9, 9, 9})) {
      exchange.check();
    }
  }

  @Test
  void aLengthMismatchFailsEveryRankWithTheSameMessage() {
    int[] ops = {Frames.OP_ALL_REDUCE, Frames.OP_ALL_REDUCE, Frames.OP_ALL_REDUCE, 1};
    for (HeaderExchange exchange : exchange(ops, new long[] {2, 2, 2, 2}, new int[] {5, 5, 6, 5})) {
      assertEquals(
          "Buffer length mismatch in all-reduce call #2: every rank must pass the same number of"
              + " floats, but rank 0 has 5, rank 1 has 5, rank 2 has 6, rank 3 has 5",
          assertThrows(IllegalArgumentException.class, exchange::check).getMessage());
    }
  }

  @Test
  void aCallOutOfStepFailsEveryRankNamingEachCall() {
    int[] ops = {Frames.OP_BARRIER, Frames.OP_BARRIER};
    long[] calls = {3, 4};
    List<HeaderExchange> exchanges = exchange(ops, calls, new int[] {0, 0});
    for (int r = 0; r < 2; r++) {
      assertEquals(
          "Collective mismatch at call #"
              + calls[r]
              + ": every rank must make the same calls in the same order, but rank 0 called"
              + " barrier() as call #3, rank 1 called barrier() as call #4",
          assertThrows(IllegalStateException.class, exchanges.get(r)::check).getMessage());
    }
  }
}
