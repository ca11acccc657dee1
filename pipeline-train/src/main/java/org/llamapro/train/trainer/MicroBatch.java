package org.llamapro.train.trainer;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Rows of one micro-batch: B rows of T tokens each, with the documents of every position. */
public record MicroBatch(List<TrainingRow> rows) {
  public MicroBatch {
    rows = List.copyOf(requireNonNull(rows, "rows is null"));
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("A micro-batch needs at least one row");
    }
    int t = rows.get(0).tokens().length;
    for (TrainingRow row : rows) {
      if (row.tokens().length != t) {
        throw new IllegalArgumentException(
            "Rows of a micro-batch differ in length: " + row.tokens().length + " and " + t);
      }
    }
  }

  public int size() {
    return rows.size();
  }

  public int seqLen() {
    return rows.get(0).tokens().length;
  }

  /** Token ids (B, T) as one row-major array. */
  long[] tokens() {
    int t = seqLen();
    long[] ids = new long[rows.size() * t];
    for (int b = 0; b < rows.size(); b++) {
      int[] row = rows.get(b).tokens();
      for (int i = 0; i < t; i++) {
        ids[b * t + i] = row[i];
      }
    }
    return ids;
  }

  /** The document number of every position (B, T), counting from 0 at each row's start. */
  long[] documentIds() {
    int t = seqLen();
    long[] ids = new long[rows.size() * t];
    for (int b = 0; b < rows.size(); b++) {
      int[] starts = rows.get(b).documentStarts();
      int document = 0;
      int next = 0;
      for (int i = 0; i < t; i++) {
        while (next < starts.length && starts[next] <= i) {
          if (starts[next] > 0) {
            document++;
          }
          next++;
        }
        ids[b * t + i] = document;
      }
    }
    return ids;
  }

  /** Next-token targets of the micro-batch (T - 1 per full row). */
  public long targets() {
    long n = 0;
    for (TrainingRow row : rows) {
      n += row.targets();
    }
    return n;
  }

  /** 1 for a real target and 0 for padding, (B, T - 1) row-major; null when every row is full. */
  float[] targetMask() {
    int t = seqLen();
    if (rows.stream().allMatch(r -> r.validTokens() == t)) {
      return null;
    }
    float[] mask = new float[rows.size() * (t - 1)];
    for (int b = 0; b < rows.size(); b++) {
      int valid = rows.get(b).validTokens();
      for (int i = 0; i < t - 1; i++) {
        mask[b * (t - 1) + i] = i + 1 < valid ? 1f : 0f;
      }
    }
    return mask;
  }
}
