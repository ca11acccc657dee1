package org.llamapro.data.pack;

import java.io.Serializable;
import java.util.stream.IntStream;

/**
 * How many packing units each split has, which pack partition holds which unit (train units first,
 * then validation units), and which shuffle buckets a unit reads. Unit {@code u} of a split with
 * {@code n} units holds the copies whose position falls in the {@code u}-th of {@code n} equal
 * ranges; it reads every bucket that range overlaps and keeps its own copies.
 */
record UnitLayout(int trainUnits, int validationUnits, Buckets buckets) implements Serializable {

  UnitLayout {
    if (trainUnits < 1 || validationUnits < 1) {
      throw new IllegalArgumentException(
          "Units must be >= 1 per split, got train "
              + trainUnits
              + ", validation "
              + validationUnits);
    }
  }

  /** Units of about {@code unitBytes} for the (weighted) text bytes of each split. */
  static UnitLayout sized(double trainBytes, double validationBytes, long unitBytes, Buckets b) {
    return new UnitLayout(units(trainBytes, unitBytes), units(validationBytes, unitBytes), b);
  }

  private static int units(double bytes, long unitBytes) {
    double units = Math.ceil(bytes / unitBytes);
    if (units > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "Too many packing units: " + units + "; raise " + PackOptions.UNIT_BYTES);
    }
    return (int) Math.max(1, units);
  }

  int partitions() {
    return trainUnits + validationUnits;
  }

  int units(String split) {
    return PackCounts.TRAIN.equals(split) ? trainUnits : validationUnits;
  }

  String splitOf(int partition) {
    return partition < trainUnits ? PackCounts.TRAIN : PackCounts.VALIDATION;
  }

  int unitOf(int partition) {
    return partition < trainUnits ? partition : partition - trainUnits;
  }

  /** Whether the copy at {@code position} belongs to the unit of {@code partition}. */
  boolean holds(int partition, long position) {
    return Buckets.range(position, units(splitOf(partition))) == unitOf(partition);
  }

  /** The shuffle partitions (buckets) the unit of {@code partition} reads, in position order. */
  int[] bucketsOf(int partition) {
    String split = splitOf(partition);
    int unit = unitOf(partition);
    int units = units(split);
    int count = buckets.count(split);
    long first = Buckets.start(unit, units);
    long last = unit + 1 < units ? Buckets.start(unit + 1, units) - 1 : Long.MAX_VALUE;
    return IntStream.rangeClosed(Buckets.range(first, count), Buckets.range(last, count))
        .map(bucket -> buckets.first(split) + bucket)
        .toArray();
  }
}
