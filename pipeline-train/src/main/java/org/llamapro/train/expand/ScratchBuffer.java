package org.llamapro.train.expand;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One off-heap buffer reused for every generated tensor, grown to the largest one. */
final class ScratchBuffer {
  private ByteBuffer buffer;

  /** The first {@code bytes} bytes, little-endian, position 0. */
  ByteBuffer slice(String tensor, long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "Cannot generate " + tensor + ": " + bytes + " bytes is over the 2 GiB a buffer holds");
    }
    if (buffer == null || buffer.capacity() < bytes) {
      buffer = ByteBuffer.allocateDirect((int) bytes);
    }
    return buffer.duplicate().clear().limit((int) bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
  }
}
