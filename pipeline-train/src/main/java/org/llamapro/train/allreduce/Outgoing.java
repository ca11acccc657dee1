package org.llamapro.train.allreduce;

/**
 * A frame waiting to be sent: a data chunk of the current buffer ({@code start}, {@code length} in
 * elements) or a call header ({@code origin}, {@code op}, {@code sequence}, and the element count
 * in {@code length}).
 */
record Outgoing(int kind, int start, int length, int origin, int op, long sequence) {
  static Outgoing data(int start, int length) {
    return new Outgoing(Frames.DATA, start, length, 0, 0, 0);
  }

  static Outgoing call(int origin, int op, long sequence, long count) {
    return new Outgoing(Frames.CALL, 0, (int) count, origin, op, sequence);
  }
}
