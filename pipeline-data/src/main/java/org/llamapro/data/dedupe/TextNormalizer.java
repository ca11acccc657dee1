package org.llamapro.data.dedupe;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.llamapro.config.ConfigException;

/**
 * Normalises text before the exact-duplicate hash ({@code dedupe.exact.normalize}), so that copies
 * differing only in line endings or trailing whitespace hash the same.
 */
public final class TextNormalizer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One normalisation step; the config names are the lowercase, dashed enum names. */
  public enum Step {
    /** CRLF and CR become LF. */
    LINE_ENDINGS,
    /** Spaces and tabs at the end of each line, and blank lines at the end, are removed. */
    TRAILING_WHITESPACE,
    /** Every run of whitespace becomes one space; leading and trailing whitespace go. */
    WHITESPACE,
    /** Lowercase (Locale.ROOT). */
    CASE;

    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Step parse(String key, String name) {
      for (Step step : values()) {
        if (step.configName().equals(name.trim())) {
          return step;
        }
      }
      throw new ConfigException(
          "Invalid "
              + key
              + ": '"
              + name
              + "' (expected any of line-endings, trailing-whitespace, whitespace, case)");
    }
  }

  private final EnumSet<Step> steps;

  public TextNormalizer(Set<Step> steps) {
    this.steps = steps.isEmpty() ? EnumSet.noneOf(Step.class) : EnumSet.copyOf(steps);
  }

  static TextNormalizer parse(String key, List<String> names) {
    EnumSet<Step> steps = EnumSet.noneOf(Step.class);
    for (String name : names) {
      if (!name.equals("none")) {
        steps.add(Step.parse(key, name));
      }
    }
    return new TextNormalizer(steps);
  }

  public Set<Step> steps() {
    return EnumSet.copyOf(steps.isEmpty() ? EnumSet.noneOf(Step.class) : steps);
  }

  public String normalize(String text) {
    String result = text;
    if (steps.contains(Step.WHITESPACE)) {
      result = collapseWhitespace(result);
    } else {
      if (steps.contains(Step.LINE_ENDINGS)) {
        result = result.replace("\r\n", "\n").replace('\r', '\n');
      }
      if (steps.contains(Step.TRAILING_WHITESPACE)) {
        result = stripTrailingWhitespace(result);
      }
    }
    if (steps.contains(Step.CASE)) {
      result = result.toLowerCase(Locale.ROOT);
    }
    return result;
  }

  private static String stripTrailingWhitespace(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int start = 0;
    while (start <= text.length()) {
      int newline = text.indexOf('\n', start);
      int end = newline < 0 ? text.length() : newline;
      int trimmed = end;
      while (trimmed > start && isHorizontalSpace(text.charAt(trimmed - 1))) {
        trimmed--;
      }
      out.append(text, start, trimmed);
      if (newline < 0) {
        break;
      }
      out.append('\n');
      start = newline + 1;
    }
    int length = out.length();
    while (length > 0 && Character.isWhitespace(out.charAt(length - 1))) {
      length--;
    }
    out.setLength(length);
    return out.toString();
  }

  private static boolean isHorizontalSpace(char c) {
    return c == ' ' || c == '\t' || c == '\f' || c == '\u000b' || c == '\r' || c == '\u00a0';
  }

  private static String collapseWhitespace(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean pendingSpace = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        pendingSpace = out.length() > 0;
      } else {
        if (pendingSpace) {
          out.append(' ');
          pendingSpace = false;
        }
        out.append(c);
      }
    }
    return out.toString();
  }
}
