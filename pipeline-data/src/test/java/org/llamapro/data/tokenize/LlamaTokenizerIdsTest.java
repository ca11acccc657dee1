package org.llamapro.data.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LlamaTokenizerIdsTest {
  private static LlamaTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = LlamaTokenizer.bundled();
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void idsOnlyPathEqualsEncodingPath() {
    String text = "Hello world!\n  def f(x):\n\treturn x ** 2  # ünïcödé ∑ 😀\n\n</s> end";
    long[] viaEncoding = tokenizer.encode(text, true);
    int[] viaIds = tokenizer.encodeIds(text, true);
    assertEquals(viaEncoding.length, viaIds.length);
    for (int i = 0; i < viaIds.length; i++) {
      assertEquals(viaEncoding[i], viaIds[i], "id " + i);
    }
  }

  @Test
  void knownIds() {
    assertArrayEquals(new int[] {1, 15043, 3186, 29991}, tokenizer.encodeIds("Hello world!", true));
    assertArrayEquals(new int[] {15043, 3186, 29991}, tokenizer.encodeIds("Hello world!", false));
  }

  @Test
  void noTruncationAt512() {
    String text = "word ".repeat(3000);
    assertTrue(tokenizer.encodeIds(text, false).length >= 3000);
  }

  @Test
  void literalEndOfSequenceTextIsIdTwo() {
    // As in Hugging Face tokenizers: the literal is the special id, and the text after it is
    // normalized on its own (it gets its own "▁"), so decoding adds a space there.
    int[] ids = tokenizer.encodeIds("a</s>b", false);
    assertArrayEquals(new int[] {263, LlamaTokenizer.EOS_ID, 289}, ids);
    assertEquals("a</s> b", tokenizer.decode(ids, false));
  }

  @Test
  void factsReadFromTokenizerJson() {
    assertEquals(32_000, tokenizer.vocabSize());
    assertEquals(64, tokenizer.sha256().length());
    assertTrue(tokenizer.file().newlineSplitSafe());
    assertTrue(tokenizer.file().spaceSplitSafe());
  }

  @Test
  void splitDocumentHasTheIdsOfTheWholeDocument() {
    Random random = new Random(7);
    String[] lines = {
      "  leading spaces",
      "",
      "\tdef f(x):  return x",
      "ünïcödé ∑ ∫ 😀 中文 текст",
      "</s> literal end",
      " x",
      "    ",
      "a</s>",
      "12345.678e-9",
    };
    for (int trial = 0; trial < 20; trial++) {
      StringBuilder text = new StringBuilder(trial % 2 == 0 ? " " : "");
      while (text.length() < 3000) {
        text.append(lines[random.nextInt(lines.length)]);
        text.append(random.nextInt(4) == 0 ? "\n\n" : "\n");
      }
      String doc = text.toString();
      int[] whole = tokenizer.encodeIds(doc, true);
      for (int max : new int[] {7, 50, 333, 1000}) {
        assertArrayEquals(whole, tokenizer.encodeDocument(doc, true, max), "trial " + trial);
      }
    }
  }

  @Test
  void longLinesAreCutAtSingleSpacesWithTheSameIds() {
    Random random = new Random(11);
    String[] words = {"alpha", "beta", "ünï", "x", "😀", "foo_bar", "(1+2)", "</s>"};
    StringBuilder text = new StringBuilder();
    while (text.length() < 5000) {
      text.append(words[random.nextInt(words.length)]);
      text.append(random.nextInt(5) == 0 ? "  " : " ");
    }
    String doc = text.toString();
    assertArrayEquals(tokenizer.encodeIds(doc, false), tokenizer.encodeDocument(doc, false, 100));
    assertTrue(DocumentSplitter.cuts(doc, 100, true).length > 10);
  }

  @Test
  void cutsFollowNewlines() {
    String doc = "aaaa\nbbbb\ncccc\ndddd";
    int[] cuts = DocumentSplitter.cuts(doc, 6, true);
    assertArrayEquals(new int[] {5, 10, 15}, cuts);
  }

  @Test
  void cacheHoldsOneTokenizerPerFile() {
    TokenizerFile file = TokenizerFile.bundled();
    LlamaTokenizer first = TokenizerCache.get(file.sha256(), () -> file);
    LlamaTokenizer second =
        TokenizerCache.get(
            file.sha256(),
            () -> {
              throw new AssertionError("loaded twice");
            });
    assertSame(first, second);
  }
}
