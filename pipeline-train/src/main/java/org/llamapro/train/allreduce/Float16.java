package org.llamapro.train.allreduce;

/**
 * IEEE 754 binary16 conversions (Java 17 has no {@code Float.floatToFloat16}). Float to half rounds
 * to nearest, ties to even, like hardware conversions; overflow gives infinity, NaN stays NaN.
 */
public final class Float16 {
  private Float16() {}

  /** Rounds {@code value} to the nearest binary16, returned as its 16 bits. */
  public static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs >= 0x477ff000) { // >= 65520 (half-way above 65504, ties to even go up), Inf or NaN
      if (abs > 0x7f800000) { // NaN: keep it quiet and non-zero
        return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
      }
      return (short) (sign | 0x7c00);
    }
    if (abs >= 0x38800000) { // normal half: rebias the exponent (127 -> 15), round 13 bits away
      int rebased = abs - 0x38000000;
      return (short) (sign | ((rebased + 0x0fff + ((rebased >>> 13) & 1)) >>> 13));
    }
    if (abs <= 0x33000000) { // <= 2^-25: half-way to the smallest subnormal or below, rounds to 0
      return (short) sign;
    }
    // Subnormal half: value = m * 2^-24 with m = mantissa >> (126 - exponent), rounded to even.
    int exponent = abs >>> 23;
    int mantissa = (abs & 0x7fffff) | 0x800000;
    int shift = 126 - exponent;
    int rounded = (mantissa + (1 << (shift - 1)) - 1 + ((mantissa >>> shift) & 1)) >>> shift;
    return (short) (sign | rounded);
  }

  /** The exact float value of a binary16 given as its 16 bits. */
  public static float toFloat(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) { // Inf or NaN
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent != 0) {
      return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
    float subnormal = mantissa * 0x1p-24f; // exact: at most 10 significant bits
    return sign == 0 ? subnormal : -subnormal;
  }

  /** {@code value} rounded to binary16 precision and back. */
  public static float round(float value) {
    return toFloat(fromFloat(value));
  }
}
