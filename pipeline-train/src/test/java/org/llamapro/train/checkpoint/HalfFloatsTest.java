package org.llamapro.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Checks the conversions against references computed here from the IEEE 754 definitions (value =
 * sign x 2^(exponent - bias) x 1.mantissa, subnormals 2^(1 - bias) x 0.mantissa) and an exhaustive
 * nearest-value search, not from the bit tricks under test.
 */
class HalfFloatsTest {
  private static final int F16_INFINITY = 0x7c00;
  private static final int BF16_INFINITY = 0x7f80;

  /** The value of an F16 bit pattern by definition; NaN for NaNs. */
  static double f16Value(int bits) {
    double sign = (bits & 0x8000) != 0 ? -1 : 1;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      return mantissa == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
    }
    if (exponent == 0) {
      return sign * Math.pow(2, -14) * (mantissa / 1024.0);
    }
    return sign * Math.pow(2, exponent - 15) * (1 + mantissa / 1024.0);
  }

  /** The value of a BF16 bit pattern by definition (8 exponent bits, bias 127, 7 mantissa bits). */
  static double bf16Value(int bits) {
    double sign = (bits & 0x8000) != 0 ? -1 : 1;
    int exponent = (bits >>> 7) & 0xff;
    int mantissa = bits & 0x7f;
    if (exponent == 0xff) {
      return mantissa == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
    }
    if (exponent == 0) {
      return sign * Math.pow(2, -126) * (mantissa / 128.0);
    }
    return sign * Math.pow(2, exponent - 127) * (1 + mantissa / 128.0);
  }

  /**
   * Nearest-even rounding by search: {@code magnitudes[i]} is the value of bit pattern i for the
   * non-negative finite patterns, and the infinity pattern's slot holds the first power of two past
   * the largest finite value (where rounding overflows). Returns the bit pattern.
   */
  static int roundBySearch(double value, double[] magnitudes, int infinity) {
    int sign = value < 0 || (value == 0 && 1 / value < 0) ? 0x8000 : 0;
    double magnitude = Math.abs(value);
    if (magnitude >= magnitudes[infinity]) {
      return sign | infinity;
    }
    int found = Arrays.binarySearch(magnitudes, 0, infinity + 1, magnitude);
    if (found >= 0) {
      return sign | found;
    }
    int upper = -found - 1; // first index with a larger value
    int lower = upper - 1;
    double down = magnitude - magnitudes[lower];
    double up = magnitudes[upper] - magnitude;
    int nearest = down < up ? lower : up < down ? upper : (lower % 2 == 0 ? lower : upper);
    return sign | nearest;
  }

  private static double[] magnitudes(int infinity, boolean f16) {
    double[] values = new double[infinity + 1];
    for (int bits = 0; bits < infinity; bits++) {
      values[bits] = f16 ? f16Value(bits) : bf16Value(bits);
    }
    values[infinity] = f16 ? 65536.0 : Math.pow(2, 128);
    return values;
  }

  @Test
  void f16ToFloatIsExactForAll65536Patterns() {
    for (int bits = 0; bits < 1 << 16; bits++) {
      float actual = HalfFloats.f16ToFloat((short) bits);
      double expected = f16Value(bits);
      if (Double.isNaN(expected)) {
        int raw = Float.floatToRawIntBits(actual);
        assertTrue(Float.isNaN(actual), "NaN pattern " + Integer.toHexString(bits));
        assertEquals(bits & 0x3ff, (raw >>> 13) & 0x3ff, "payload of " + Integer.toHexString(bits));
        assertEquals((bits & 0x8000) != 0, raw < 0, "sign of " + Integer.toHexString(bits));
      } else {
        assertEquals(
            Double.doubleToRawLongBits(expected),
            Double.doubleToRawLongBits(actual),
            "F16 " + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void bf16ToFloatIsExactForAll65536Patterns() {
    for (int bits = 0; bits < 1 << 16; bits++) {
      float actual = HalfFloats.bf16ToFloat((short) bits);
      double expected = bf16Value(bits);
      if (Double.isNaN(expected)) {
        assertTrue(Float.isNaN(actual), "NaN pattern " + Integer.toHexString(bits));
        assertEquals(bits << 16, Float.floatToRawIntBits(actual));
      } else {
        assertEquals(
            Double.doubleToRawLongBits(expected),
            Double.doubleToRawLongBits(actual),
            "BF16 " + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void halfToFloatToHalfGivesBackAll65536PatternsIncludingNaNs() {
    for (int bits = 0; bits < 1 << 16; bits++) {
      assertEquals(
          bits,
          HalfFloats.floatToF16(HalfFloats.f16ToFloat((short) bits)) & 0xffff,
          "F16 " + Integer.toHexString(bits));
      assertEquals(
          bits,
          HalfFloats.floatToBf16(HalfFloats.bf16ToFloat((short) bits)) & 0xffff,
          "BF16 " + Integer.toHexString(bits));
    }
  }

  @Test
  void floatToF16RoundsToNearestEvenAtEveryMidpointAndRandomFloats() {
    double[] magnitudes = magnitudes(F16_INFINITY, true);
    int checked = 0;
    for (int bits = 0; bits < F16_INFINITY; bits++) {
      // The midpoint to the next value is exact in a float (12 significant bits).
      float midpoint = (float) ((magnitudes[bits] + magnitudes[bits + 1]) / 2);
      for (float value : new float[] {midpoint, Math.nextDown(midpoint), Math.nextUp(midpoint)}) {
        checkF16(value, magnitudes);
        checkF16(-value, magnitudes);
        checked += 2;
      }
    }
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 1_000_000; i++) {
      float value = Float.intBitsToFloat(random.nextInt());
      if (!Float.isNaN(value)) {
        checkF16(value, magnitudes);
        checked++;
      }
    }
    // Values near the F16 range, where the interesting cases are.
    for (int i = 0; i < 1_000_000; i++) {
      float value = (float) ((random.nextDouble() * 2 - 1) * Math.pow(2, random.nextInt(-27, 18)));
      checkF16(value, magnitudes);
      checked++;
    }
    assertTrue(checked > 2_000_000);
  }

  private static void checkF16(float value, double[] magnitudes) {
    int expected = roundBySearch(value, magnitudes, F16_INFINITY);
    int actual = HalfFloats.floatToF16(value) & 0xffff;
    assertEquals(
        expected,
        actual,
        () -> "float " + value + " (" + Integer.toHexString(Float.floatToRawIntBits(value)) + ")");
  }

  @Test
  void floatToBf16RoundsToNearestEvenAtEveryMidpointAndRandomFloats() {
    double[] magnitudes = magnitudes(BF16_INFINITY, false);
    for (int bits = 0; bits < BF16_INFINITY; bits++) {
      float midpoint = (float) ((magnitudes[bits] + magnitudes[bits + 1]) / 2);
      for (float value : new float[] {midpoint, Math.nextDown(midpoint), Math.nextUp(midpoint)}) {
        checkBf16(value, magnitudes);
        checkBf16(-value, magnitudes);
      }
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1_000_000; i++) {
      float value = Float.intBitsToFloat(random.nextInt());
      if (!Float.isNaN(value)) {
        checkBf16(value, magnitudes);
      }
    }
  }

  private static void checkBf16(float value, double[] magnitudes) {
    int expected = roundBySearch(value, magnitudes, BF16_INFINITY);
    int actual = HalfFloats.floatToBf16(value) & 0xffff;
    assertEquals(
        expected,
        actual,
        () -> "float " + value + " (" + Integer.toHexString(Float.floatToRawIntBits(value)) + ")");
  }

  @Test
  void specialValues() {
    assertEquals(0x7c00, HalfFloats.floatToF16(Float.POSITIVE_INFINITY) & 0xffff);
    assertEquals(0xfc00, HalfFloats.floatToF16(Float.NEGATIVE_INFINITY) & 0xffff);
    assertEquals(0x7bff, HalfFloats.floatToF16(65504f) & 0xffff);
    assertEquals(0x7bff, HalfFloats.floatToF16(Math.nextDown(65520f)) & 0xffff);
    assertEquals(0x7c00, HalfFloats.floatToF16(65520f) & 0xffff, "tie above max -> infinity");
    assertEquals(0x7c00, HalfFloats.floatToF16(Float.MAX_VALUE) & 0xffff);
    assertEquals(0x8000, HalfFloats.floatToF16(-0f) & 0xffff, "negative zero keeps its sign");
    assertEquals(0x0000, HalfFloats.floatToF16(0x1p-25f) & 0xffff, "tie at half the min -> 0");
    assertEquals(0x0001, HalfFloats.floatToF16(Math.nextUp(0x1p-25f)) & 0xffff);
    assertEquals(0x0000, HalfFloats.floatToF16(Float.MIN_VALUE) & 0xffff);
    assertEquals(0x0400, HalfFloats.floatToF16(0x1p-14f) & 0xffff, "smallest normal");
    assertEquals(0x3c00, HalfFloats.floatToF16(1f) & 0xffff);
    assertEquals(0x3c00, HalfFloats.floatToF16(1f + 0x1p-11f) & 0xffff, "tie to even (down)");
    assertEquals(0x3c02, HalfFloats.floatToF16(1f + 3 * 0x1p-11f) & 0xffff, "tie to even (up)");
    // A float NaN whose payload lives only in the low bits must stay a NaN, not become infinity.
    float lowPayloadNaN = Float.intBitsToFloat(0x7f800001);
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(lowPayloadNaN))));
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(lowPayloadNaN))));
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))));
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))));

    assertEquals(0x7f80, HalfFloats.floatToBf16(Float.POSITIVE_INFINITY) & 0xffff);
    assertEquals(0xff80, HalfFloats.floatToBf16(Float.NEGATIVE_INFINITY) & 0xffff);
    assertEquals(0x7f80, HalfFloats.floatToBf16(Float.MAX_VALUE) & 0xffff, "overflow -> inf");
    assertEquals(0x7f7f, HalfFloats.floatToBf16(Float.intBitsToFloat(0x7f7f7fff)) & 0xffff);
    assertEquals(0x8000, HalfFloats.floatToBf16(-0f) & 0xffff);
    assertEquals(
        0x0002, HalfFloats.floatToBf16(Float.intBitsToFloat(0x00018000)) & 0xffff, "tie up");
    assertEquals(
        0x0000, HalfFloats.floatToBf16(Float.intBitsToFloat(0x00008000)) & 0xffff, "tie down");
    assertEquals(0x0001, HalfFloats.floatToBf16(Float.intBitsToFloat(0x00008001)) & 0xffff);
    assertEquals(0x3f80, HalfFloats.floatToBf16(1f) & 0xffff);
  }

  @Test
  void arrayConversionsMatchTheScalarOnes() {
    SplittableRandom random = new SplittableRandom(3);
    short[] halves = new short[40_000];
    for (int i = 0; i < halves.length; i++) {
      halves[i] = (short) random.nextInt(1 << 16);
    }
    float[] fromF16 = new float[halves.length + 3];
    float[] fromBf16 = new float[halves.length + 3];
    HalfFloats.f16ToFloat(halves, 0, fromF16, 3, halves.length);
    HalfFloats.bf16ToFloat(halves, 0, fromBf16, 3, halves.length);
    short[] toF16 = new short[halves.length];
    short[] toBf16 = new short[halves.length];
    HalfFloats.floatToF16(fromF16, 3, toF16, 0, halves.length);
    HalfFloats.floatToBf16(fromBf16, 3, toBf16, 0, halves.length);
    for (int i = 0; i < halves.length; i++) {
      assertEquals(
          Float.floatToRawIntBits(HalfFloats.f16ToFloat(halves[i])),
          Float.floatToRawIntBits(fromF16[i + 3]));
      assertEquals(
          Float.floatToRawIntBits(HalfFloats.bf16ToFloat(halves[i])),
          Float.floatToRawIntBits(fromBf16[i + 3]));
      assertEquals(halves[i], toF16[i]);
      assertEquals(halves[i], toBf16[i]);
    }
  }

  @Test
  void arrayConversionsCheckTheirRanges() {
    IndexOutOfBoundsException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IndexOutOfBoundsException.class,
            () -> HalfFloats.f16ToFloat(new short[4], 2, new float[4], 0, 3));
    assertEquals(
        "Invalid range: length 3 from source position 2 (of 4) to destination position 0 (of 4)",
        e.getMessage());
  }
}
