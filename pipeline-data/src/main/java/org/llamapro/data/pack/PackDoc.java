package org.llamapro.data.pack;

import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A tokenized document on its way to packing: its source and its ids (no BOS, no EOS), encoded for
 * the shuffle as one byte array: uint16 per id when every id fits (LLaMA's 32,000-id vocabulary),
 * else int32. A byte array is written in bulk by the shuffle's serializer, where an {@code int[]}
 * is written an element at a time, and the shuffle moves half the bytes.
 */
record PackDoc(String source, byte[] encodedIds) implements Serializable {
  private static final VarHandle U16 =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle I32 =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final byte NARROW = 2;
  private static final byte WIDE = 4;

  static PackDoc of(String source, int[] ids) {
    boolean narrow = true;
    for (int id : ids) {
      narrow &= (id & ~0xFFFF) == 0;
    }
    byte width = narrow ? NARROW : WIDE;
    byte[] out = new byte[1 + width * ids.length];
    out[0] = width;
    for (int i = 0; i < ids.length; i++) {
      if (narrow) {
        U16.set(out, 1 + 2 * i, (short) ids[i]);
      } else {
        I32.set(out, 1 + 4 * i, ids[i]);
      }
    }
    return new PackDoc(source, out);
  }

  /** The ids, decoded. */
  int[] ids() {
    byte width = encodedIds[0];
    if (width != NARROW && width != WIDE) {
      throw new IllegalStateException("Corrupt shuffled document: id width " + width);
    }
    int[] ids = new int[(encodedIds.length - 1) / width];
    for (int i = 0; i < ids.length; i++) {
      ids[i] =
          width == NARROW
              ? Short.toUnsignedInt((short) U16.get(encodedIds, 1 + 2 * i))
              : (int) I32.get(encodedIds, 1 + 4 * i);
    }
    return ids;
  }
}
