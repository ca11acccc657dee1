package org.llamapro.hash;

/**
 * Fast, fixed 64-bit hashing for shingles and n-grams. The values are part of stored signature
 * indexes, so these functions must never change (a change would need a new index version).
 */
public final class Hash64 {
  private Hash64() {}

  /** The splitmix64 finaliser: a bijective mix of 64 bits. */
  public static long mix(long value) {
    long z = value;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Hash of a string's UTF-16 code units (FNV-1a, then mixed). */
  public static long of(CharSequence text) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      hash ^= text.charAt(i);
      hash *= 0x100000001b3L;
    }
    return mix(hash);
  }

  /** Hash of a sequence of hashes {@code values[from, from + count)}, order-sensitive. */
  public static long ofSequence(long[] values, int from, int count) {
    long hash = 0x9e3779b97f4a7c15L ^ count;
    for (int i = from; i < from + count; i++) {
      hash = mix(hash ^ values[i]) + 0x9e3779b97f4a7c15L;
    }
    return mix(hash);
  }
}
