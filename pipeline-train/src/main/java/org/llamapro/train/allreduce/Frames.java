package org.llamapro.train.allreduce;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The ring's wire format. Every message is a frame: {@code int kind, int payloadBytes} (little
 * endian) followed by the payload. Data frames carry one chunk of floats in the wire type; the
 * receiver knows from the shared schedule which kind and length comes next and checks both.
 */
final class Frames {
  private Frames() {}

  static final int HEADER_BYTES = 8;

  /** Connection handshake, both directions: {@link #HELLO_BYTES} of identity and settings. */
  static final int HELLO = 0x48454c4f;

  /** Start of a collective: origin rank, operation, call number, element count. */
  static final int CALL = 0x43414c4c;

  /** One chunk of a segment, in the wire type. */
  static final int DATA = 0x44415441;

  /** A rank gave up; the payload is the reason (UTF-8), the last frame on its connection. */
  static final int ABORT = 0x41424f52;

  static final int MAGIC = 0x4c504152; // "LPAR"
  static final int VERSION = 1;
  static final int HELLO_BYTES = 40;
  static final int CALL_BYTES = 24;
  static final int MAX_ABORT_BYTES = 1000;

  static final int OP_ALL_REDUCE = 1;
  static final int OP_BARRIER = 2;

  static String opName(int op) {
    return switch (op) {
      case OP_ALL_REDUCE -> "allReduceMean()";
      case OP_BARRIER -> "barrier()";
      default -> "unknown operation " + op;
    };
  }

  static String kindName(int kind) {
    return switch (kind) {
      case HELLO -> "HELLO";
      case CALL -> "CALL";
      case DATA -> "DATA";
      case ABORT -> "ABORT";
      default -> String.format("0x%08x", kind);
    };
  }

  /** A complete ABORT frame, the reason cut to {@link #MAX_ABORT_BYTES}. */
  static ByteBuffer abort(String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int length = Math.min(text.length, MAX_ABORT_BYTES);
    ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + length).order(ByteOrder.LITTLE_ENDIAN);
    frame.putInt(ABORT).putInt(length).put(text, 0, length).flip();
    return frame;
  }

  /** A newly allocated little-endian heap buffer. */
  static ByteBuffer small(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }
}
