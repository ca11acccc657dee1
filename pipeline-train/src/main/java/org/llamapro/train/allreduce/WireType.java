package org.llamapro.train.allreduce;

import java.util.Locale;

/**
 * The element type of gradients on the wire. Summation is always in F32 on each rank; the wire type
 * only decides what travels between ranks.
 *
 * <ul>
 *   <li>{@link #F32}: exact transport; the only error is float summation order.
 *   <li>{@link #F16}: IEEE binary16, half the bytes. Every hop rounds to nearest-even with an
 *       11-bit significand (relative error at most 2^-11 ~ 4.9e-4 per rounding, W roundings in a
 *       ring of W ranks); magnitudes below 2^-14 ~ 6.1e-5 lose relative precision (subnormals,
 *       absolute step 2^-24 ~ 6e-8) and partial sums above 65504 become infinite. That is the same
 *       byte count as the paper's bf16 gradients, with more mantissa and less range; use it with
 *       loss scaling turned down to the point where gradients stay well under 65504/W.
 * </ul>
 */
public enum WireType {
  F32(4),
  F16(2);

  private final int bytes;

  WireType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element on the wire. */
  public int bytes() {
    return bytes;
  }

  /** Reads {@code f32}/{@code float32} or {@code f16}/{@code float16}/{@code half}. */
  public static WireType parse(String what, String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "f32", "float32", "fp32" -> F32;
      case "f16", "float16", "fp16", "half" -> F16;
      default ->
          throw new IllegalArgumentException(
              "Invalid " + what + ": '" + text + "' (expected f32 or f16)");
    };
  }
}
