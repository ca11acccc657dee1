package org.llamapro.data.dedupe;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * MinHash signatures with the universal hash family h(x) = (a x + b) mod p, p = 2^61 - 1 (a
 * Mersenne prime, so the 122-bit product reduces with shifts), one (a, b) pair per hash drawn from
 * a seeded generator: the same seed gives the same signatures on every run and machine.
 */
public final class MinHasher implements Serializable {
  private static final long serialVersionUID = 1L;
  static final long PRIME = (1L << 61) - 1;

  private final long[] a;
  private final long[] b;

  public MinHasher(int numHashes, long seed) {
    if (numHashes <= 0) {
      throw new IllegalArgumentException(
          "Invalid number of hashes: " + numHashes + " (must be > 0)");
    }
    SplittableRandom random = new SplittableRandom(seed);
    a = new long[numHashes];
    b = new long[numHashes];
    for (int i = 0; i < numHashes; i++) {
      a[i] = 1 + random.nextLong(PRIME - 1);
      b[i] = random.nextLong(PRIME);
    }
  }

  public int numHashes() {
    return a.length;
  }

  /** The signature of a non-empty set of shingle hashes. */
  public long[] signature(long[] shingles) {
    if (shingles.length == 0) {
      throw new IllegalArgumentException("No shingles: an empty set has no MinHash signature");
    }
    long[] signature = new long[a.length];
    java.util.Arrays.fill(signature, Long.MAX_VALUE);
    for (long shingle : shingles) {
      long x = reduce(shingle & Long.MAX_VALUE);
      for (int i = 0; i < a.length; i++) {
        long h = reduce(mulMod(a[i], x) + b[i]);
        if (h < signature[i]) {
          signature[i] = h;
        }
      }
    }
    return signature;
  }

  /** The fraction of equal positions: an unbiased estimate of the Jaccard similarity. */
  public static double estimateJaccard(long[] first, long[] second) {
    int length = Math.min(first.length, second.length);
    int equal = 0;
    for (int i = 0; i < length; i++) {
      if (first[i] == second[i]) {
        equal++;
      }
    }
    return length == 0 ? 0 : (double) equal / length;
  }

  /** (x * y) mod p for x, y < p, via the 128-bit product. */
  static long mulMod(long x, long y) {
    long high = Math.multiplyHigh(x, y);
    long low = x * y;
    // product = high * 2^64 + low = ((high << 3) | (low >>> 61)) * 2^61 + (low & p), 2^61 = 1 mod p
    return reduce(((high << 3) | (low >>> 61)) + (low & PRIME));
  }

  /** v mod p for 0 <= v < 2^63. */
  static long reduce(long v) {
    long r = (v & PRIME) + (v >>> 61);
    return r >= PRIME ? r - PRIME : r;
  }
}
