package org.llamapro.data.pack;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The seeded, stable random choices of the mix and pack stages, each a function of a document id
 * (never of the partitioning or the order of the input), so that reruns give the same rows.
 *
 * <p>Every choice reads the first 8 or 16 bytes of SHA-256 of a UTF-8 string, so that it can be
 * reproduced outside this project (e.g. with Python's hashlib):
 *
 * <ul>
 *   <li>held out for validation: {@code u("holdout:" + id) < fraction} (no seed: a document stays
 *       on its side across seeds and refreshes);
 *   <li>copies under weight w: {@code floor(w) + (u(seed + ":mix:" + id) < w - floor(w) ? 1 : 0)};
 *   <li>order and packing unit of copy c: the first and second 8 bytes of SHA-256 of {@code seed +
 *       ":order:" + id + ":" + c}.
 * </ul>
 *
 * where {@code u(s)} is the first 8 bytes of SHA-256(s), big-endian unsigned, divided by 2^64.
 */
public final class Sampling {
  private static final double TWO_POW_64 = 0x1.0p64;

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is not available", e);
            }
          });

  private Sampling() {}

  /** Whether document {@code id} belongs to the validation split. */
  public static boolean heldOut(String id, double fraction) {
    return fraction > 0 && uniform(digest("holdout:" + id)) < fraction;
  }

  /** How many copies of document {@code id} the training mix gets under {@code weight}. */
  public static int copies(long seed, String id, double weight) {
    int whole = (int) Math.floor(weight);
    double fraction = weight - whole;
    if (fraction == 0) {
      return whole;
    }
    return whole + (uniform(digest(seed + ":mix:" + id)) < fraction ? 1 : 0);
  }

  /**
   * A copy's place in the seeded order of its split: 63 uniform bits from the seed, the document id
   * and the copy number. Packing units and shuffle buckets are ranges of it ({@link UnitLayout}).
   */
  public static long position(long seed, String id, int copy) {
    return ByteBuffer.wrap(digest(seed + ":order:" + id + ":" + copy)).getLong(0) >>> 1;
  }

  static byte[] digest(String text) {
    return SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
  }

  static double uniform(byte[] hash) {
    long bits = ByteBuffer.wrap(hash).getLong(0);
    // Unsigned 64-bit value / 2^64, in [0, 1).
    double unsigned = (bits >>> 1) * 2.0 + (bits & 1);
    return unsigned / TWO_POW_64;
  }
}
