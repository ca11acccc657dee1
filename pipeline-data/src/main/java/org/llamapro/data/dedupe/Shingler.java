package org.llamapro.data.dedupe;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.llamapro.data.text.Words;
import org.llamapro.hash.Hash64;

/**
 * Turns a text into its set of shingle hashes: word n-grams (BigCode's default, 5 words) or
 * character n-grams. A text with fewer words than n is one shingle of all its words; a text with no
 * words has no shingles and takes no part in near-dedupe.
 */
public final class Shingler implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What a shingle is made of. */
  public enum Unit {
    WORD,
    CHAR
  }

  private final Unit unit;
  private final int n;
  private final boolean lowercase;

  public Shingler(Unit unit, int n, boolean lowercase) {
    if (n <= 0) {
      throw new IllegalArgumentException("Invalid shingle size: " + n + " (must be > 0)");
    }
    this.unit = unit;
    this.n = n;
    this.lowercase = lowercase;
  }

  /** Sorted, distinct shingle hashes. */
  public long[] shingles(String text) {
    long[] hashes = unit == Unit.WORD ? wordShingles(text) : charShingles(text);
    if (hashes.length == 0) {
      return hashes;
    }
    Arrays.sort(hashes);
    int distinct = 1;
    for (int i = 1; i < hashes.length; i++) {
      if (hashes[i] != hashes[distinct - 1]) {
        hashes[distinct++] = hashes[i];
      }
    }
    return distinct == hashes.length ? hashes : Arrays.copyOf(hashes, distinct);
  }

  private long[] wordShingles(String text) {
    List<String> words = Words.split(text, lowercase);
    if (words.isEmpty()) {
      return new long[0];
    }
    long[] wordHashes = new long[words.size()];
    for (int i = 0; i < wordHashes.length; i++) {
      wordHashes[i] = Hash64.of(words.get(i));
    }
    if (wordHashes.length <= n) {
      return new long[] {Hash64.ofSequence(wordHashes, 0, wordHashes.length)};
    }
    long[] shingles = new long[wordHashes.length - n + 1];
    for (int i = 0; i < shingles.length; i++) {
      shingles[i] = Hash64.ofSequence(wordHashes, i, n);
    }
    return shingles;
  }

  private long[] charShingles(String text) {
    StringBuilder normal = new StringBuilder(text.length());
    boolean space = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        space = normal.length() > 0;
      } else {
        if (space) {
          normal.append(' ');
          space = false;
        }
        normal.append(c);
      }
    }
    String value = lowercase ? normal.toString().toLowerCase(Locale.ROOT) : normal.toString();
    if (value.isEmpty()) {
      return new long[0];
    }
    if (value.length() <= n) {
      return new long[] {Hash64.of(value)};
    }
    long[] shingles = new long[value.length() - n + 1];
    for (int i = 0; i < shingles.length; i++) {
      shingles[i] = Hash64.of(value.subSequence(i, i + n));
    }
    return shingles;
  }

  /** Exact Jaccard similarity of two sorted, distinct shingle arrays. */
  public static double jaccard(long[] a, long[] b) {
    if (a.length == 0 && b.length == 0) {
      return 1.0;
    }
    int i = 0;
    int j = 0;
    int common = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        common++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return (double) common / (a.length + b.length - common);
  }
}
