package org.llamapro.data.dedupe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.llamapro.data.TestCorpus;

class MinHasherTest {
  @Test
  void mulModMatchesBigIntegerArithmetic() {
    SplittableRandom random = new SplittableRandom(7);
    BigInteger prime = BigInteger.valueOf(MinHasher.PRIME);
    for (int i = 0; i < 10_000; i++) {
      long x = random.nextLong(MinHasher.PRIME);
      long y = random.nextLong(MinHasher.PRIME);
      long expected = BigInteger.valueOf(x).multiply(BigInteger.valueOf(y)).mod(prime).longValue();
      assertEquals(expected, MinHasher.mulMod(x, y), x + " * " + y);
    }
  }

  @Test
  void sameSeedSameSignatureOtherSeedOther() {
    long[] shingles =
        new Shingler(Shingler.Unit.WORD, 5, true).shingles(TestCorpus.document(1, 20));
    assertArrayEquals(
        new MinHasher(64, 42).signature(shingles), new MinHasher(64, 42).signature(shingles));
    assertTrue(
        MinHasher.estimateJaccard(
                new MinHasher(64, 42).signature(shingles),
                new MinHasher(64, 43).signature(shingles))
            < 0.2);
  }

  @Test
  void estimateIsCloseToExactJaccard() {
    Shingler shingler = new Shingler(Shingler.Unit.WORD, 5, true);
    String text = TestCorpus.document(3, 40);
    long[] a = shingler.shingles(text);
    long[] b = shingler.shingles(TestCorpus.edit(text, 6, 9));
    double exact = Shingler.jaccard(a, b);
    MinHasher hasher = new MinHasher(256, 42);
    double estimate = MinHasher.estimateJaccard(hasher.signature(a), hasher.signature(b));
    // Standard error of the estimate is sqrt(J(1-J)/256) < 0.032.
    assertEquals(exact, estimate, 0.1, "exact " + exact + " estimate " + estimate);
    assertTrue(exact > 0.4 && exact < 0.9, "exact " + exact);
  }
}
