package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

/**
 * One packed row: exactly seq-len token ids, and the positions where a document starts inside it
 * (ascending; a row that begins mid-document has no 0). The model learns the T - 1 next-token
 * targets of the row.
 */
public record TrainingRow(int[] tokens, int[] documentStarts) {
  public TrainingRow {
    requireNonNull(tokens, "tokens is null");
    requireNonNull(documentStarts, "documentStarts is null");
    if (tokens.length < 2) {
      throw new IllegalArgumentException(
          "A training row needs at least 2 tokens, got " + tokens.length);
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

  /** A row that is one document (or a part of one). */
  public static TrainingRow of(int... tokens) {
    return new TrainingRow(tokens, new int[0]);
  }
}
