package org.llamapro.train.allreduce;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * One frame buffer of the ring: the 8-byte frame header followed by room for one chunk, direct and
 * little endian, with views of the payload as F32 and F16 elements (index 0 = first payload
 * element), so that kernels read and write the payload in place.
 */
final class WireFrame {
  final ByteBuffer bytes;
  final FloatBuffer floats;
  final ShortBuffer halves;

  WireFrame(int payloadBytes) {
    bytes =
        ByteBuffer.allocateDirect(Frames.HEADER_BYTES + payloadBytes)
            .order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer payload =
        bytes
            .duplicate()
            .clear()
            .position(Frames.HEADER_BYTES)
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    floats = payload.asFloatBuffer();
    halves = payload.asShortBuffer();
  }
}
