package org.llamapro.train.allreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Float16Test {
  @Test
  void everyHalfSurvivesTheRoundTrip() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float value = Float16.toFloat((short) bits);
      short back = Float16.fromFloat(value);
      if (Float.isNaN(value)) {
        assertTrue(Float.isNaN(Float16.toFloat(back)), "NaN " + Integer.toHexString(bits));
      } else {
        assertEquals(bits, back & 0xffff, "half 0x" + Integer.toHexString(bits) + " = " + value);
      }
    }
  }

  @Test
  void knownValues() {
    assertEquals(0x3c00, Float16.fromFloat(1f) & 0xffff);
    assertEquals(0xc000, Float16.fromFloat(-2f) & 0xffff);
    assertEquals(0x7bff, Float16.fromFloat(65504f) & 0xffff); // largest finite
    assertEquals(0x7bff, Float16.fromFloat(65519.99f) & 0xffff); // below the half-way point
    assertEquals(0x7c00, Float16.fromFloat(65520f) & 0xffff); // half-way: ties to even = Inf
    assertEquals(0x7c00, Float16.fromFloat(1e9f) & 0xffff);
    assertEquals(0xfc00, Float16.fromFloat(Float.NEGATIVE_INFINITY) & 0xffff);
    assertEquals(0x0001, Float16.fromFloat(0x1p-24f) & 0xffff); // smallest subnormal
    assertEquals(0x0000, Float16.fromFloat(0x1p-25f) & 0xffff); // half-way to it: even = 0
    assertEquals(0x0001, Float16.fromFloat(0x1.000002p-25f) & 0xffff); // just above half-way
    assertEquals(0x0400, Float16.fromFloat(0x1p-14f) & 0xffff); // smallest normal
    assertEquals(0x3555, Float16.fromFloat(1f / 3) & 0xffff);
    assertEquals(0x8000, Float16.fromFloat(-0f) & 0xffff);
    assertEquals(0x3c00, Float16.fromFloat(1 + 0x1p-11f) & 0xffff); // tie, 1.0 is even
    assertEquals(0x3c02, Float16.fromFloat(1 + 3 * 0x1p-11f) & 0xffff); // tie, 0x3c02 is even
    assertTrue(Float.isNaN(Float16.round(Float.NaN)));
  }

  @Test
  void roundsRandomFloatsToTheNearestHalfTiesToEven() {
    Random random = new Random(42);
    for (int i = 0; i < 2_000_000; i++) {
      // Magnitudes from far below the subnormals to beyond the largest half.
      float value =
          Float.intBitsToFloat(random.nextInt(0x47800000)) * (random.nextBoolean() ? 1 : -1);
      short half = Float16.fromFloat(value);
      double got = Float16.toFloat(half);
      if (Math.abs(value) >= 65520f) { // IEEE: rounds as if to 65536, which overflows
        if (!Float.isInfinite((float) got)) {
          fail("no overflow for " + value);
        }
        continue;
      }
      double error = Math.abs(got - value);
      int bits = half & 0x7fff;
      // Neighbours of the chosen half (toward zero and away from it) must not be closer.
      for (int neighbour : new int[] {bits - 1, bits + 1}) {
        if (neighbour < 0 || neighbour > 0x7bff) {
          continue;
        }
        double other = Float16.toFloat((short) (neighbour | (half & 0x8000)));
        double otherError = Math.abs(other - value);
        if (!(error < otherError || (error == otherError && (bits & 1) == 0))) {
          fail("value " + value + " -> " + got + " but " + other + " is at least as close");
        }
      }
    }
  }
}
