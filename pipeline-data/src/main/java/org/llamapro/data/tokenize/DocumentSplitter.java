package org.llamapro.data.tokenize;

import java.util.Arrays;

/**
 * Where a long document is cut before encoding: right after a newline, so that every piece stays
 * under the limit where the text has newlines. A line longer than the limit is cut before a single
 * space between two non-space characters (the only other place where no LLaMA merge crosses); a
 * longer stretch with neither stays whole.
 */
final class DocumentSplitter {
  private DocumentSplitter() {}

  /** Start offsets of the second and later pieces, ascending; empty when no cut is needed. */
  static int[] cuts(String text, int maxPieceChars, boolean atSpaces) {
    if (maxPieceChars <= 0) {
      throw new IllegalArgumentException(
          "Invalid piece length: " + maxPieceChars + " (must be > 0)");
    }
    int length = text.length();
    int[] cuts = new int[8];
    int count = 0;
    int start = 0;
    while (length - start > maxPieceChars) {
      int limit = start + maxPieceChars;
      int cut = text.lastIndexOf('\n', limit - 1) + 1;
      if (cut <= start && atSpaces) {
        cut = lastSingleSpace(text, start, limit);
      }
      if (cut <= start) {
        // No safe place within the limit: take the next one after it.
        cut = nextSafeCut(text, limit, atSpaces);
        if (cut < 0) {
          break;
        }
      }
      if (count == cuts.length) {
        cuts = Arrays.copyOf(cuts, count * 2);
      }
      cuts[count++] = cut;
      start = cut;
    }
    return Arrays.copyOf(cuts, count);
  }

  /** Offset of a space in (start, limit) with a letter or digit on both sides. */
  private static int lastSingleSpace(String text, int start, int limit) {
    for (int i = Math.min(limit, text.length() - 1) - 1; i > start; i--) {
      if (isSingleSpace(text, i)) {
        return i;
      }
    }
    return -1;
  }

  private static int nextSafeCut(String text, int from, boolean atSpaces) {
    for (int i = from; i < text.length() - 1; i++) {
      if (text.charAt(i) == '\n') {
        return i + 1 < text.length() ? i + 1 : -1;
      }
      if (atSpaces && isSingleSpace(text, i)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isSingleSpace(String text, int i) {
    if (i <= 0 || i + 1 >= text.length() || text.charAt(i) != ' ') {
      return false;
    }
    // Letters or digits on both sides: never a run of spaces, never right after an added token
    // such as "</s>" (the text after one is normalized on its own and gets its own "▁").
    return Character.isLetterOrDigit(text.charAt(i - 1))
        && Character.isLetterOrDigit(text.charAt(i + 1));
  }
}
