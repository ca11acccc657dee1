package org.llamapro.train.allreduce;

import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * The per-element work of the ring: adding received elements into the buffer, copying or decoding
 * them, encoding outgoing ones, taking the mean. Public so the benchmark measures exactly the loops
 * the ring runs. All indices are absolute; buffers' positions are not used.
 */
public final class WireKernels {
  private WireKernels() {}

  /** {@code dst[at + i] += src[i]} for {@code from <= i < to}. */
  public static void addF32(FloatBuffer dst, int at, FloatBuffer src, int from, int to) {
    for (int i = from; i < to; i++) {
      dst.put(at + i, dst.get(at + i) + src.get(i));
    }
  }

  /** {@code dst[at + i] += half(src[i])} for {@code from <= i < to}. */
  public static void addF16(FloatBuffer dst, int at, ShortBuffer src, int from, int to) {
    for (int i = from; i < to; i++) {
      dst.put(at + i, dst.get(at + i) + Float16.toFloat(src.get(i)));
    }
  }

  /** {@code dst[at + i] = src[i]} for {@code from <= i < to} (a bulk copy). */
  public static void copyF32(FloatBuffer dst, int at, FloatBuffer src, int from, int to) {
    dst.put(at + from, src, from, to - from);
  }

  /** {@code dst[at + i] = half(src[i])} for {@code from <= i < to}. */
  public static void decodeF16(FloatBuffer dst, int at, ShortBuffer src, int from, int to) {
    for (int i = from; i < to; i++) {
      dst.put(at + i, Float16.toFloat(src.get(i)));
    }
  }

  /** {@code dst[i] = src[start + i]} for {@code i < length} (a bulk copy). */
  public static void encodeF32(FloatBuffer src, int start, int length, FloatBuffer dst) {
    dst.put(0, src, start, length);
  }

  /** {@code dst[i] = toHalf(src[start + i])} for {@code i < length}. */
  public static void encodeF16(FloatBuffer src, int start, int length, ShortBuffer dst) {
    for (int i = 0; i < length; i++) {
      dst.put(i, Float16.fromFloat(src.get(start + i)));
    }
  }

  /**
   * Divides {@code d[start, start + length)} by {@code worldSize}; with {@code roundToHalf} also
   * rounds each mean to binary16, so the owner keeps exactly what the other ranks receive.
   */
  public static void mean(
      FloatBuffer d, int start, int length, int worldSize, boolean roundToHalf) {
    float divisor = worldSize;
    for (int i = start, end = start + length; i < end; i++) {
      float mean = d.get(i) / divisor;
      d.put(i, roundToHalf ? Float16.round(mean) : mean);
    }
  }
}
