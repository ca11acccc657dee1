package org.llamapro.train.trainer;

import java.util.ArrayList;
import java.util.List;

/**
 * JSON has no NaN or infinity, so every JSON file and line the trainer writes holds a non-finite
 * number as {@code null} and names it in a {@code non_finite} list beside it: a reader tells "not
 * measured" from "diverged", and every line stays valid JSON.
 */
public final class NonFinite {
  private NonFinite() {}

  /** {@code value}, or null when it is NaN or infinite. */
  public static Double orNull(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** The value a record holds, NaN for null. */
  public static double orNaN(Double value) {
    return value == null ? Double.NaN : value;
  }

  /** The names (at even positions) whose values (at odd positions) are NaN or infinite. */
  public static List<String> names(Object... namesAndValues) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      double value = ((Number) namesAndValues[i + 1]).doubleValue();
      if (!Double.isFinite(value)) {
        names.add((String) namesAndValues[i]);
      }
    }
    return List.copyOf(names);
  }
}
