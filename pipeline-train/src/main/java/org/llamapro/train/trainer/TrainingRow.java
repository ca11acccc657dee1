package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

/**
 * One packed row: exactly seq-len token ids, the positions where a document segment starts inside
 * it (ascending), and how many of the ids are real tokens ({@code validTokens}; a padded last row
 * has fewer, and its padding is never a target). The model learns the next-token targets at
 * positions 1 .. validTokens - 1.
 */
public record TrainingRow(int[] tokens, int[] documentStarts, int validTokens) {
  public TrainingRow {
    requireNonNull(tokens, "tokens is null");
    requireNonNull(documentStarts, "documentStarts is null");
    if (tokens.length < 2) {
      throw new IllegalArgumentException(
          "A training row needs at least 2 tokens, got " + tokens.length);
    }
    if (validTokens < 1 || validTokens > tokens.length) {
      throw new IllegalArgumentException(
          "Invalid valid-token count: " + validTokens + " (must be in [1, " + tokens.length + "])");
    }
    for (int i = 0; i < documentStarts.length; i++) {
      int s = documentStarts[i];
      if (s < 0 || s >= tokens.length || (i > 0 && s <= documentStarts[i - 1])) {
        throw new IllegalArgumentException(
            "Invalid document starts: position "
                + s
                + " at index "
                + i
                + " (must ascend within [0, "
                + tokens.length
                + "))");
      }
    }
  }

  public TrainingRow(int[] tokens, int[] documentStarts) {
    this(tokens, documentStarts, tokens.length);
  }

  /** A row that is one document (or a part of one), all tokens real. */
  public static TrainingRow of(int... tokens) {
    return new TrainingRow(tokens, new int[0]);
  }

  /** Next-token targets of this row. */
  public int targets() {
    return validTokens - 1;
  }
}
