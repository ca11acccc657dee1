package org.llamapro.data.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class UnitLayoutTest {
  private static final long MAX = Long.MAX_VALUE; // positions are 63-bit

  @Test
  void everyPositionHasOneUnitAndThatUnitReadsItsBucket() {
    Random random = new Random(3);
    int[][] shapes = {{1, 1}, {1, 64}, {7, 32}, {7, 1}, {5, 3}, {100, 16}, {3, 65_536}};
    for (int[] shape : shapes) {
      int units = shape[0];
      Buckets buckets = new Buckets(shape[1], 2);
      UnitLayout layout = new UnitLayout(units, 1, buckets);
      long[] positions = new long[20_000];
      for (int i = 0; i < positions.length; i++) {
        positions[i] = random.nextLong() >>> 1;
      }
      // The extremes and the unit boundaries themselves.
      positions[0] = 0;
      positions[1] = MAX;
      for (int u = 1; u < units && u + 3 < positions.length; u++) {
        positions[1 + u] = Buckets.start(u, units);
        positions[2 + u] = Buckets.start(u, units) - 1;
      }
      for (long position : positions) {
        int[] holders = IntStream.range(0, units).filter(p -> layout.holds(p, position)).toArray();
        assertEquals(1, holders.length, Arrays.toString(shape) + " position " + position);
        int bucket = buckets.partition(PackCounts.TRAIN, position);
        assertTrue(
            Arrays.stream(layout.bucketsOf(holders[0])).anyMatch(b -> b == bucket),
            Arrays.toString(shape) + " position " + position + " bucket " + bucket);
      }
    }
  }

  @Test
  void unitsReadContiguousBucketsSharingOnlyBoundaries() {
    Buckets buckets = new Buckets(32, 4);
    UnitLayout layout = new UnitLayout(7, 2, buckets);
    int expectedNext = 0;
    for (int p = 0; p < 7; p++) {
      int[] read = layout.bucketsOf(p);
      assertTrue(read[0] == expectedNext || read[0] == expectedNext - 1, Arrays.toString(read));
      for (int i = 1; i < read.length; i++) {
        assertEquals(read[i - 1] + 1, read[i]);
      }
      expectedNext = read[read.length - 1] + 1;
    }
    assertEquals(32, expectedNext);
    // Validation units read validation buckets (after the 32 train buckets).
    assertEquals(32, layout.bucketsOf(7)[0]);
    assertEquals(35, layout.bucketsOf(8)[layout.bucketsOf(8).length - 1]);
    assertEquals(PackCounts.VALIDATION, layout.splitOf(8));
    assertEquals(1, layout.unitOf(8));
  }

  @Test
  void bucketsFollowTheEstimateAsPowersOfTwo() {
    PackOptions options =
        PackOptions.builder().optUnitBytes(32L << 20).optHoldoutFraction(0.01).build();
    // 70 MB expected: 16 per unit -> ceil(16 * 70 / 32) = 35 -> 64.
    Buckets buckets = Buckets.forEstimate(70e6 * 1.048576, options);
    assertEquals(64, buckets.train());
    assertEquals(1, buckets.validation());
    assertEquals(1, Buckets.forEstimate(0, options).train());
    assertEquals(Buckets.MAX_PER_SPLIT, Buckets.forEstimate(1e18, options).train());
    PackOptions weighted =
        PackOptions.builder().optUnitBytes(1 << 20).optWeights(java.util.Map.of("s", 3.0)).build();
    // 16 per unit * 4 MiB * weight 3 / 1 MiB units = 192 -> 256.
    assertEquals(256, Buckets.forEstimate(4 << 20, weighted).train());
    PackOptions fixed = PackOptions.builder().optShuffleBuckets(5).build();
    assertEquals(new Buckets(5, 5), Buckets.forEstimate(1e12, fixed));
  }

  @Test
  void unitsAreSizedFromBytes() {
    Buckets b = new Buckets(1, 1);
    assertEquals(new UnitLayout(1, 1, b), UnitLayout.sized(0, 0, 100, b));
    assertEquals(new UnitLayout(3, 1, b), UnitLayout.sized(201, 100, 100, b));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> UnitLayout.sized(1e18, 0, 1, b));
    assertEquals("Too many packing units: 1.0E18; raise pack.unit-bytes", e.getMessage());
  }
}
