package org.llamapro.train.allreduce;

/**
 * What the event loop needs to know about one collective: which frame it expects next from the
 * previous rank, what to do with its payload as it arrives, and how to encode the frames it queued
 * for the next rank. The receiver knows the kind and length of every frame in advance because every
 * rank runs the same schedule.
 */
interface Schedule {
  /** Moves to the next expected incoming frame; false when none is left. */
  boolean advance();

  int expectedKind();

  int expectedPayloadBytes();

  /** Unit of incremental processing, in payload bytes. */
  int elementBytes();

  /** Elements {@code [from, to)} of the current frame's payload have arrived. */
  void consume(int from, int to);

  /** The current frame has fully arrived (after all of its elements were consumed). */
  void complete();

  /** Writes {@code out} (header and payload) into {@code send} and flips it for writing. */
  void encode(Outgoing out, WireFrame send);

  /** Where the collective is, for messages: "all-reduce call #3 of 1000 floats (...)". */
  String describe();
}
