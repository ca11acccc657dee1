package org.llamapro.train.allreduce;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * The per-element work of the ring: adding received elements into the buffer, copying or decoding
 * them, encoding outgoing ones, taking the mean. Public so the benchmark measures exactly the loops
 * the ring runs. Indices are absolute; buffers' positions are not used.
 *
 * <p>Elements move between the direct buffers and small heap arrays in blocks (bulk copies run at
 * memory speed) and the arithmetic runs on the arrays, where the JIT vectorises it; per-element
 * access to direct buffers is several times slower. Not thread-safe: one instance per ring.
 */
public final class WireKernels {
  private static final int BLOCK = 4096;

  /** Every binary16 value as a float: decoding is one table lookup (256 KiB, stays in cache). */
  private static final float[] HALF_TO_FLOAT = new float[1 << 16];

  static {
    for (int bits = 0; bits < HALF_TO_FLOAT.length; bits++) {
      HALF_TO_FLOAT[bits] = Float16.toFloat((short) bits);
    }
  }

  private final float[] left = new float[BLOCK];
  private final float[] right = new float[BLOCK];
  private final short[] halves = new short[BLOCK];

  /** {@code dst[at + i] += src[i]} for {@code from <= i < to}. */
  public void addF32(FloatBuffer dst, int at, FloatBuffer src, int from, int to) {
    float[] a = left;
    float[] b = right;
    for (int i = from; i < to; i += BLOCK) {
      int n = Math.min(BLOCK, to - i);
      dst.get(at + i, a, 0, n);
      src.get(i, b, 0, n);
      for (int k = 0; k < n; k++) {
        a[k] += b[k];
      }
      dst.put(at + i, a, 0, n);
    }
  }

  /** {@code dst[at + i] += half(src[i])} for {@code from <= i < to}. */
  public void addF16(FloatBuffer dst, int at, ShortBuffer src, int from, int to) {
    float[] a = left;
    short[] h = halves;
    float[] table = HALF_TO_FLOAT;
    for (int i = from; i < to; i += BLOCK) {
      int n = Math.min(BLOCK, to - i);
      dst.get(at + i, a, 0, n);
      src.get(i, h, 0, n);
      for (int k = 0; k < n; k++) {
        a[k] += table[h[k] & 0xffff];
      }
      dst.put(at + i, a, 0, n);
    }
  }

  /** {@code dst[at + i] = src[i]} for {@code from <= i < to} (a bulk copy). */
  public void copyF32(FloatBuffer dst, int at, FloatBuffer src, int from, int to) {
    dst.put(at + from, src, from, to - from);
  }

  /** {@code dst[at + i] = half(src[i])} for {@code from <= i < to}. */
  public void decodeF16(FloatBuffer dst, int at, ShortBuffer src, int from, int to) {
    float[] a = left;
    short[] h = halves;
    float[] table = HALF_TO_FLOAT;
    for (int i = from; i < to; i += BLOCK) {
      int n = Math.min(BLOCK, to - i);
      src.get(i, h, 0, n);
      for (int k = 0; k < n; k++) {
        a[k] = table[h[k] & 0xffff];
      }
      dst.put(at + i, a, 0, n);
    }
  }

  /** {@code dst[i] = src[start + i]} for {@code i < length} (a bulk copy). */
  public void encodeF32(FloatBuffer src, int start, int length, FloatBuffer dst) {
    dst.put(0, src, start, length);
  }

  /** {@code dst[i] = toHalf(src[start + i])} for {@code i < length}. */
  public void encodeF16(FloatBuffer src, int start, int length, ShortBuffer dst) {
    float[] a = left;
    short[] h = halves;
    for (int i = 0; i < length; i += BLOCK) {
      int n = Math.min(BLOCK, length - i);
      src.get(start + i, a, 0, n);
      for (int k = 0; k < n; k++) {
        h[k] = Float16.fromFloat(a[k]);
      }
      dst.put(i, h, 0, n);
    }
  }

  /**
   * Divides {@code d[start, start + length)} by {@code worldSize}; with {@code roundToHalf} also
   * rounds each mean to binary16, so the owner keeps exactly what the other ranks receive.
   */
  public void mean(FloatBuffer d, int start, int length, int worldSize, boolean roundToHalf) {
    float[] a = left;
    float divisor = worldSize;
    for (int i = 0; i < length; i += BLOCK) {
      int n = Math.min(BLOCK, length - i);
      d.get(start + i, a, 0, n);
      for (int k = 0; k < n; k++) {
        a[k] = a[k] / divisor;
      }
      if (roundToHalf) {
        for (int k = 0; k < n; k++) {
          a[k] = Float16.round(a[k]);
        }
      }
      d.put(start + i, a, 0, n);
    }
  }
}
