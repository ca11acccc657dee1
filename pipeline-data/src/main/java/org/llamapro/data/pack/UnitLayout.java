package org.llamapro.data.pack;

import java.io.Serializable;

/**
 * How many packing units each split has, and which Spark partition holds which unit: train units
 * first ({@code 0..trainUnits-1}), then validation units.
 */
record UnitLayout(int trainUnits, int validationUnits) implements Serializable {

  int partitions() {
    return trainUnits + validationUnits;
  }

  int partition(String split, int unit) {
    return PackCounts.TRAIN.equals(split) ? unit : trainUnits + unit;
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
}
