package org.llamapro.data.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.llamapro.config.ConfigException;

class TextNormalizerTest {
  private static final TextNormalizer DEFAULT =
      new TextNormalizer(
          EnumSet.of(TextNormalizer.Step.LINE_ENDINGS, TextNormalizer.Step.TRAILING_WHITESPACE));

  @Test
  void lineEndingsAndTrailingWhitespaceDoNotChangeTheHashInput() {
    assertEquals("a b\n  c\n\nd", DEFAULT.normalize("a b  \r\n  c\t\r\n\r\nd \n\n"));
    assertEquals(DEFAULT.normalize("x\ny\n"), DEFAULT.normalize("x \r\ny\t"));
  }

  @Test
  void indentationStillCounts() {
    assertEquals("  x", DEFAULT.normalize("  x"));
  }

  @Test
  void whitespaceAndCaseAreOptIn() {
    TextNormalizer all = TextNormalizer.parse("k", List.of("whitespace", "case"));
    assertEquals("a b c", all.normalize("  A\n\tb   C \n"));
    assertEquals("A", TextNormalizer.parse("k", List.of("none")).normalize("A"));
  }

  @Test
  void unknownStepIsAnErrorNamingKeyAndValue() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> TextNormalizer.parse("dedupe.exact.normalize", List.of("tabs")));
    assertEquals(
        "Invalid dedupe.exact.normalize: 'tabs' (expected any of line-endings,"
            + " trailing-whitespace, whitespace, case)",
        error.getMessage());
  }
}
