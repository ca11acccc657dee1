package org.llamapro.data.pack;

import java.io.Serializable;

/**
 * The shuffle's partitions: each split's range of positions ({@link Sampling#position}) cut into
 * equal buckets, train buckets first. Chosen before tokenization from the input's estimated size,
 * they only set the shuffle's granularity: units are sized after tokenization, and each unit reads
 * the buckets its own range of positions overlaps ({@link UnitLayout}).
 */
record Buckets(int train, int validation) implements Serializable {
  /** Buckets per unit the estimate aims for: few bytes are read twice at unit boundaries. */
  static final int PER_UNIT = 16;

  static final int MAX_PER_SPLIT = 1 << 16;

  Buckets {
    if (train < 1 || validation < 1) {
      throw new IllegalArgumentException(
          "Buckets must be >= 1 per split, got train " + train + ", validation " + validation);
    }
  }

  /**
   * Buckets for an input of about {@code inputBytes} (Spark's estimate, usually compressed bytes,
   * so below the text bytes that size units): {@link #PER_UNIT} per expected unit, a power of two;
   * or {@code pack.shuffle-buckets} per split when set.
   */
  static Buckets forEstimate(double inputBytes, PackOptions options) {
    if (options.shuffleBuckets() > 0) {
      return new Buckets(options.shuffleBuckets(), options.shuffleBuckets());
    }
    double maxWeight = options.defaultWeight();
    for (double weight : options.weights().values()) {
      maxWeight = Math.max(maxWeight, weight);
    }
    return new Buckets(
        count(inputBytes * maxWeight, options.unitBytes()),
        count(inputBytes * options.holdoutFraction(), options.unitBytes()));
  }

  /** The power of two at or above {@code PER_UNIT * bytes / unitBytes}, within [1, MAX]. */
  private static int count(double bytes, long unitBytes) {
    long wanted = (long) Math.ceil(PER_UNIT * bytes / unitBytes);
    if (wanted >= MAX_PER_SPLIT) {
      return MAX_PER_SPLIT;
    }
    return wanted <= 1 ? 1 : Integer.highestOneBit((int) wanted - 1) << 1;
  }

  int partitions() {
    return train + validation;
  }

  int count(String split) {
    return PackCounts.TRAIN.equals(split) ? train : validation;
  }

  /** The first shuffle partition of {@code split}. */
  int first(String split) {
    return PackCounts.TRAIN.equals(split) ? 0 : train;
  }

  /** The shuffle partition of a copy at {@code position} of {@code split}. */
  int partition(String split, long position) {
    return first(split) + range(position, count(split));
  }

  /** Which of {@code parts} equal ranges of positions holds {@code position} (top 32 bits). */
  static int range(long position, int parts) {
    return (int) (((position >>> 31) * parts) >>> 32);
  }

  /** The first position of range {@code index} of {@code parts}. */
  static long start(int index, int parts) {
    return ((((long) index << 32) + parts - 1) / parts) << 31;
  }
}
