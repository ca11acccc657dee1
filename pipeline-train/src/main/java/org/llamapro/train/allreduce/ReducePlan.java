package org.llamapro.train.allreduce;

import java.util.Queue;

/**
 * Which chunk goes where, for one rank of a ring all-reduce over {@code count} elements: the order
 * of the chunks this rank receives from the previous rank and of those it queues for the next one.
 * No data and no sockets here, only index arithmetic that every rank computes alike.
 *
 * <p>The buffer is reduced in buckets of at most {@code bucketElements}; each bucket is cut into W
 * segments (sizes differ by at most one element). Steps 0..W-2 are the reduce-scatter: rank r first
 * sends its own segment r as it is, then at step s receives segment r-1-s, adds its own values and
 * passes the sum on; at step W-2 it receives the last contribution to segment r+1, which is then
 * complete. Steps W-1..2W-3 are the all-gather: the finished segments travel once more around the
 * ring and are copied. Segments travel in chunks of at most {@code chunkElements}; a chunk is
 * forwarded as soon as it has arrived, so step s + 1 starts before step s ends.
 */
final class ReducePlan {
  private final int rank;
  private final int worldSize;
  private final int count;
  private final int chunkElements;
  private final int bucketElements;
  private final int buckets;
  private final Queue<Outgoing> outbox;
  private final int[] segmentStart;
  private final int[] segmentLength;
  private int bucket = -1;

  /** 0..W-2 reduce-scatter, W-1..2W-3 all-gather; 2W-2 = bucket done. */
  private int step;

  private int chunkStart; // absolute index into the buffer, -1 before the step's first chunk
  private int chunkLength;

  /** Queues this rank's first frames (its own segment of the first bucket) to {@code outbox}. */
  ReducePlan(
      int rank,
      int worldSize,
      int count,
      int bucketElements,
      int chunkElements,
      Queue<Outgoing> outbox) {
    if (worldSize < 2 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("Invalid rank " + rank + " of " + worldSize);
    }
    if (count < 1 || bucketElements < 1 || chunkElements < 1) {
      throw new IllegalArgumentException(
          "Invalid plan: "
              + count
              + " elements, buckets of "
              + bucketElements
              + ", chunks of "
              + chunkElements
              + " (all must be >= 1)");
    }
    this.rank = rank;
    this.worldSize = worldSize;
    this.count = count;
    this.chunkElements = chunkElements;
    this.bucketElements = bucketElements;
    this.buckets = (int) ((count + (long) bucketElements - 1) / bucketElements);
    this.outbox = outbox;
    this.segmentStart = new int[worldSize];
    this.segmentLength = new int[worldSize];
    startBucket(0);
  }

  private void startBucket(int index) {
    bucket = index;
    int bucketStart = (int) Math.min((long) index * bucketElements, count);
    int bucketLength = Math.min(bucketElements, count - bucketStart);
    for (int s = 0; s < worldSize; s++) {
      int from = (int) ((long) bucketLength * s / worldSize);
      int to = (int) ((long) bucketLength * (s + 1) / worldSize);
      segmentStart[s] = bucketStart + from;
      segmentLength[s] = to - from;
    }
    // Reduce-scatter step 0 sends our own segment as it is; everything else waits for input.
    int own = rank;
    for (int at = 0; at < segmentLength[own]; at += chunkElements) {
      int length = Math.min(chunkElements, segmentLength[own] - at);
      outbox.add(Outgoing.data(segmentStart[own] + at, length));
    }
    step = 0;
    chunkStart = -1;
  }

  /** The segment received at {@code step}. */
  private int receivedSegment(int step) {
    int back = step < worldSize - 1 ? step + 1 : step - (worldSize - 1);
    return Math.floorMod(rank - back, worldSize);
  }

  /**
   * Moves to the next chunk to receive, queuing the next bucket's first frames when this one is
   * done; false when the whole buffer is done.
   */
  boolean advance() {
    while (true) {
      if (step < 2 * worldSize - 2) {
        int segment = receivedSegment(step);
        int segmentEnd = segmentStart[segment] + segmentLength[segment];
        int nextStart = chunkStart < 0 ? segmentStart[segment] : chunkStart + chunkLength;
        if (nextStart < segmentEnd) {
          chunkStart = nextStart;
          chunkLength = Math.min(chunkElements, segmentEnd - nextStart);
          return true;
        }
        step++;
        chunkStart = -1;
      } else if (bucket + 1 < buckets) {
        startBucket(bucket + 1);
      } else {
        return false;
      }
    }
  }

  /**
   * The current chunk has arrived and been processed: queues it for the next rank if it goes on.
   */
  void complete() {
    if (step < 2 * worldSize - 3) {
      outbox.add(Outgoing.data(chunkStart, chunkLength)); // forward to the next rank
    }
  }

  /** First element of the current chunk, an index into the whole buffer. */
  int chunkStart() {
    return chunkStart;
  }

  int chunkLength() {
    return chunkLength;
  }

  int step() {
    return step;
  }

  /** True in the reduce-scatter (add what arrives), false in the all-gather (copy it). */
  boolean reducing() {
    return step < worldSize - 1;
  }

  /** True when the current chunk is the last contribution: after adding it, this rank owns it. */
  boolean finishesSegment() {
    return step == worldSize - 2;
  }

  /** "reduce-scatter step 2/3, bucket 1/4", for messages. */
  String position() {
    String phase =
        step < worldSize - 1
            ? "reduce-scatter step " + (step + 1) + "/" + (worldSize - 1)
            : "all-gather step " + (step - worldSize + 2) + "/" + (worldSize - 1);
    return phase + ", bucket " + (bucket + 1) + "/" + buckets;
  }
}
