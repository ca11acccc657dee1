package org.llamapro.tools.corpus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Word 5-gram shingles (compared with dedupe's {@code Shingler.jaccard}): the measure the planted
 * near-duplicates are checked against. Words are lower-cased runs of letters, digits and
 * underscores, so whitespace, line endings and punctuation alone do not change a document's
 * shingles.
 */
final class Shingles {
  static final int WORDS = 5;

  private Shingles() {}

  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}_]+")) {
      if (!word.isEmpty()) {
        words.add(word);
      }
    }
    return words;
  }

  /** Sorted, distinct 64-bit hashes of the word 5-grams (one shingle if under 5 words). */
  static long[] of(String text) {
    List<String> words = words(text);
    int count = Math.max(1, words.size() - WORDS + 1);
    long[] hashes = new long[count];
    for (int i = 0; i < count; i++) {
      long hash = 0xcbf29ce484222325L; // FNV-1a 64
      for (int w = i; w < Math.min(words.size(), i + WORDS); w++) {
        for (char c : (words.get(w) + ' ').toCharArray()) {
          hash ^= c;
          hash *= 0x100000001b3L;
        }
      }
      hashes[i] = hash;
    }
    return Arrays.stream(hashes).sorted().distinct().toArray();
  }
}
