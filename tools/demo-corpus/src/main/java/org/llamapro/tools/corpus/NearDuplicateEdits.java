package org.llamapro.tools.corpus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The edits that turn a real document into a planted near-duplicate. They only remove or re-space
 * real text, never write new prose: the kind of difference a vendored copy, a re-indented fork or a
 * comment-stripped re-upload shows.
 */
final class NearDuplicateEdits {
  private NearDuplicateEdits() {}

  /** Deletes {@code count} distinct non-blank lines from the middle 80% of the text. */
  static String dropLines(String text, int count, SplittableRandom random) {
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    int from = lines.size() / 10;
    int to = lines.size() - lines.size() / 10;
    List<Integer> candidates = new ArrayList<>();
    for (int i = from; i < to; i++) {
      if (!lines.get(i).isBlank()) {
        candidates.add(i);
      }
    }
    if (candidates.size() < count * 4) {
      throw new IllegalArgumentException(
          "Too few lines to drop " + count + " of them: " + candidates.size() + " candidates");
    }
    TreeSet<Integer> drop = new TreeSet<>();
    while (drop.size() < count) {
      drop.add(candidates.get(random.nextInt(candidates.size())));
    }
    for (int index : drop.descendingSet()) {
      lines.remove(index);
    }
    return String.join("\n", lines);
  }

  /** Windows line endings: the bytes change, the words do not. */
  static String crlf(String text) {
    return text.replace("\r\n", "\n").replace("\n", "\r\n");
  }

  /** Every leading run of four spaces becomes a tab. */
  static String tabIndent(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (String line : text.split("\n", -1)) {
      int spaces = 0;
      while (spaces < line.length() && line.charAt(spaces) == ' ') {
        spaces++;
      }
      out.append("\t".repeat(spaces / 4)).append(line.substring(spaces / 4 * 4)).append('\n');
    }
    out.setLength(out.length() - 1);
    return out.toString();
  }

  /**
   * Drops whole-line LaTeX comments, as arXiv pre-processing does, except the leading comment
   * block: that is where a file's copyright and licence notice sits, and copies must keep it.
   */
  static String stripLatexCommentLines(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean header = true;
    for (String line : text.split("\n", -1)) {
      boolean comment = line.stripLeading().startsWith("%");
      header &= comment || line.isBlank();
      if (header || !comment) {
        out.append(line).append('\n');
      }
    }
    out.setLength(Math.max(0, out.length() - 1));
    return out.toString();
  }
}
