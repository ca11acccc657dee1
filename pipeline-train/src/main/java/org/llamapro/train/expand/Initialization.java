package org.llamapro.train.expand;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a new block starts. */
public enum Initialization {
  /**
   * Copy of its source block with o_proj and down_proj (weights and biases) zeroed: same function.
   */
  IDENTITY,
  /** Plain copy of its source block (changes the function; the paper's author found it worse). */
  COPY,
  /** A fresh block: projections ~ N(0, initializer_range), norms 1, biases 0; seeded. */
  RANDOM;

  @JsonCreator
  public static Initialization parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) { // the cause adds nothing: say what is expected
      throw new IllegalArgumentException(
          "Invalid init: '" + text + "' (expected identity, copy or random)");
    }
  }

  @JsonValue
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
