package org.llamapro.train.expand;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where the new blocks go (the paper's main method and its ablations). */
public enum Placement {
  /** One copy after the last block of each of M equal groups (LLaMA Pro). */
  INTERLEAVE,
  /** M copies of the last M blocks, stacked after the last block. */
  TOP,
  /** M copies of the first M blocks, stacked before the first block. */
  BOTTOM;

  @JsonCreator
  public static Placement parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) { // the cause adds nothing: say what is expected
      throw new IllegalArgumentException(
          "Invalid placement: '" + text + "' (expected interleave, top or bottom)");
    }
  }

  @JsonValue
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
