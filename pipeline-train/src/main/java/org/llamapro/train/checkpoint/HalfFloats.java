package org.llamapro.train.checkpoint;

/**
 * Conversions between float and the two 16-bit float formats of checkpoints, held as the raw bits
 * in a {@code short}: IEEE 754 binary16 (F16: 1 sign, 5 exponent, 10 mantissa bits) and bfloat16
 * (BF16: the top 16 bits of a float). Java 17 has no {@code Float.float16ToFloat}.
 *
 * <p>Half to float is exact. Float to half rounds to nearest, ties to even; values beyond the
 * largest half become infinity, tiny values become subnormals or signed zero. NaN stays NaN and
 * keeps the top bits of its payload (a payload that would vanish becomes the quiet bit), so
 * half-to-float-to-half gives back every one of the 65536 bit patterns unchanged.
 */
public final class HalfFloats {
  /** F16 bits to float, for all 65536 patterns (256 KiB): a lookup beats the branches. */
  private static final float[] F16_TO_FLOAT = new float[1 << 16];

  static {
    for (int bits = 0; bits < F16_TO_FLOAT.length; bits++) {
      F16_TO_FLOAT[bits] = computeF16ToFloat(bits);
    }
  }

  private HalfFloats() {}

  /** The float an F16 bit pattern denotes (exact). */
  public static float f16ToFloat(short bits) {
    return F16_TO_FLOAT[bits & 0xffff];
  }

  /** The F16 nearest to {@code value} (ties to even). */
  public static short floatToF16(float value) {
    int x = Float.floatToRawIntBits(value);
    int sign = (x >>> 16) & 0x8000;
    int abs = x & 0x7fffffff;
    if (abs >= 0x7f800000) { // infinity or NaN
      if (abs == 0x7f800000) {
        return (short) (sign | 0x7c00);
      }
      int payload = (abs >>> 13) & 0x3ff;
      return (short) (sign | 0x7c00 | (payload == 0 ? 0x200 : payload));
    }
    if (abs >= 0x477ff000) { // >= 65520: halfway above 65504 and beyond rounds to infinity
      return (short) (sign | 0x7c00);
    }
    if (abs >= 0x38800000) { // >= 2^-14: a normal half
      int rebiased = abs - (112 << 23); // exponent bias 127 -> 15
      // Round the 13 dropped mantissa bits to nearest even; a carry moves into the exponent.
      rebiased += 0xfff + ((rebiased >>> 13) & 1);
      return (short) (sign | (rebiased >>> 13));
    }
    if (abs <= 0x33000000) { // <= 2^-25, half the smallest subnormal: ties to even give zero
      return (short) sign;
    }
    // A half subnormal counts units of 2^-24: round(mantissa * 2^(exponent - 126)).
    int exponent = abs >>> 23;
    int mantissa = (abs & 0x7fffff) | 0x800000;
    int shift = 126 - exponent; // 14..24
    int quotient = mantissa >>> shift;
    int remainder = mantissa & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder == halfway && (quotient & 1) != 0)) {
      quotient++; // may become 0x400, the smallest normal, which is the right encoding
    }
    return (short) (sign | quotient);
  }

  /** The float a BF16 bit pattern denotes (exact). */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** The BF16 nearest to {@code value} (ties to even). */
  public static short floatToBf16(float value) {
    int x = Float.floatToRawIntBits(value);
    if ((x & 0x7fffffff) > 0x7f800000) { // NaN: truncate, but keep it a NaN
      int high = x >>> 16;
      return (short) ((high & 0x7f) == 0 ? high | 0x40 : high);
    }
    // Overflow past the largest finite BF16 carries into the exponent and gives infinity.
    return (short) ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16);
  }

  /** Converts {@code length} F16 values from {@code src} to floats in {@code dst}. */
  public static void f16ToFloat(short[] src, int srcPos, float[] dst, int dstPos, int length) {
    checkRange(src.length, srcPos, dst.length, dstPos, length);
    float[] table = F16_TO_FLOAT;
    for (int i = 0; i < length; i++) {
      dst[dstPos + i] = table[src[srcPos + i] & 0xffff];
    }
  }

  /** Converts {@code length} BF16 values from {@code src} to floats in {@code dst}. */
  public static void bf16ToFloat(short[] src, int srcPos, float[] dst, int dstPos, int length) {
    checkRange(src.length, srcPos, dst.length, dstPos, length);
    for (int i = 0; i < length; i++) {
      dst[dstPos + i] = Float.intBitsToFloat((src[srcPos + i] & 0xffff) << 16);
    }
  }

  /** Rounds {@code length} floats from {@code src} to F16 in {@code dst}. */
  public static void floatToF16(float[] src, int srcPos, short[] dst, int dstPos, int length) {
    checkRange(src.length, srcPos, dst.length, dstPos, length);
    for (int i = 0; i < length; i++) {
      dst[dstPos + i] = floatToF16(src[srcPos + i]);
    }
  }

  /** Rounds {@code length} floats from {@code src} to BF16 in {@code dst}. */
  public static void floatToBf16(float[] src, int srcPos, short[] dst, int dstPos, int length) {
    checkRange(src.length, srcPos, dst.length, dstPos, length);
    for (int i = 0; i < length; i++) {
      dst[dstPos + i] = floatToBf16(src[srcPos + i]);
    }
  }

  private static void checkRange(int srcLength, int srcPos, int dstLength, int dstPos, int length) {
    if (length < 0
        || srcPos < 0
        || dstPos < 0
        || srcPos > srcLength - length
        || dstPos > dstLength - length) {
      throw new IndexOutOfBoundsException(
          "Invalid range: length "
              + length
              + " from source position "
              + srcPos
              + " (of "
              + srcLength
              + ") to destination position "
              + dstPos
              + " (of "
              + dstLength
              + ")");
    }
  }

  private static float computeF16ToFloat(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) { // infinity, or NaN with its payload kept
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) { // zero or subnormal: mantissa x 2^-24, exact in a float
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
