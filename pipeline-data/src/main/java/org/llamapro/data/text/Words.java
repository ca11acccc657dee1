package org.llamapro.data.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into words for shingling and n-gram matching: maximal runs of Unicode letters, digits
 * and underscores, optionally lowercased. Punctuation and whitespace only separate words, so
 * re-indented code and re-wrapped prose give the same words.
 */
public final class Words {
  private Words() {}

  public static List<String> split(String text, boolean lowercase) {
    List<String> words = new ArrayList<>();
    int length = text.length();
    int start = -1;
    for (int i = 0; i < length; ) {
      int codePoint = text.codePointAt(i);
      boolean wordChar = Character.isLetterOrDigit(codePoint) || codePoint == '_';
      if (wordChar && start < 0) {
        start = i;
      } else if (!wordChar && start >= 0) {
        words.add(word(text, start, i, lowercase));
        start = -1;
      }
      i += Character.charCount(codePoint);
    }
    if (start >= 0) {
      words.add(word(text, start, length, lowercase));
    }
    return words;
  }

  private static String word(String text, int start, int end, boolean lowercase) {
    String word = text.substring(start, end);
    return lowercase ? word.toLowerCase(Locale.ROOT) : word;
  }
}
