package org.llamapro.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.llamapro.data.tokenize.LlamaTokenizer;

/**
 * Deterministic synthetic documents for benchmarks: words are LLaMA-2 vocabulary pieces drawn with
 * Zipf-like frequencies, shaped as prose, Python, LaTeX or math, so that the tokenizer sees text
 * with realistic piece lengths (about 3 bytes per token).
 */
final class SyntheticCorpus implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String[] SOURCES = {"stack", "algebraic-stack", "open-web-math", "arxiv"};

  private final String[] words;

  SyntheticCorpus() {
    List<String> list = new ArrayList<>();
    try (InputStream in =
        LlamaTokenizer.class.getResourceAsStream(LlamaTokenizer.DEFAULT_RESOURCE)) {
      JsonNode vocab = new ObjectMapper().readTree(in).path("model").path("vocab");
      for (Iterator<String> it = vocab.fieldNames(); it.hasNext(); ) {
        String piece = it.next();
        if (piece.length() >= 3
            && piece.charAt(0) == '\u2581'
            && piece.substring(1).chars().allMatch(Character::isLetter)) {
          list.add(piece.substring(1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.words = list.toArray(new String[0]);
  }

  String source(long id) {
    return SOURCES[Math.floorMod(id * 0x9E3779B97F4A7C15L >>> 7, SOURCES.length)];
  }

  /** The text of document {@code id}, about {@code meanBytes} long (log-normal-ish spread). */
  String text(long id, int meanBytes) {
    SplittableRandom random = new SplittableRandom(id * 0x9E3779B97F4A7C15L + 17);
    int target = (int) Math.max(50, meanBytes * Math.exp(random.nextGaussian() * 0.8 - 0.32));
    String source = source(id);
    StringBuilder out = new StringBuilder(target + 200);
    while (out.length() < target) {
      switch (source) {
        case "stack", "algebraic-stack" -> codeLine(random, out);
        case "arxiv" -> latexLine(random, out);
        default -> proseLine(random, out);
      }
    }
    return out.toString();
  }

  private String word(SplittableRandom random) {
    // Zipf-like: small indices (frequent pieces come first in the vocabulary) much more often.
    double u = random.nextDouble();
    int index = (int) Math.min(words.length - 1, Math.floor(Math.pow(words.length, u)) - 1);
    return words[Math.max(0, index)];
  }

  private void proseLine(SplittableRandom random, StringBuilder out) {
    int n = 5 + random.nextInt(25);
    for (int i = 0; i < n; i++) {
      String w = word(random);
      out.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
      out.append(i == n - 1 ? ". " : random.nextInt(12) == 0 ? ", " : " ");
    }
    if (random.nextInt(4) == 0) {
      out.append("$x_{")
          .append(random.nextInt(10))
          .append("} = ")
          .append(random.nextInt(1000))
          .append("$ ");
    }
    out.append(random.nextInt(3) == 0 ? "\n\n" : "\n");
  }

  private void codeLine(SplittableRandom random, StringBuilder out) {
    int indent = 4 * random.nextInt(3);
    out.append(" ".repeat(indent));
    String a = word(random).toLowerCase(java.util.Locale.ROOT);
    String b = word(random).toLowerCase(java.util.Locale.ROOT);
    switch (random.nextInt(6)) {
      case 0 ->
          out.append("def ")
              .append(a)
              .append('_')
              .append(b)
              .append("(self, ")
              .append(b)
              .append("):");
      case 1 ->
          out.append(a)
              .append(" = ")
              .append(b)
              .append('.')
              .append(word(random).toLowerCase(java.util.Locale.ROOT))
              .append("(")
              .append(random.nextInt(100))
              .append(")");
      case 2 -> out.append("for ").append(a).append(" in range(len(").append(b).append(")):");
      case 3 ->
          out.append("return ")
              .append(a)
              .append(" + ")
              .append(b)
              .append(" * ")
              .append(random.nextInt(64));
      case 4 ->
          out.append("# ")
              .append(word(random))
              .append(' ')
              .append(word(random))
              .append(' ')
              .append(word(random));
      default ->
          out.append("if ")
              .append(a)
              .append(" is not None and ")
              .append(b)
              .append(" > ")
              .append(random.nextInt(10))
              .append(':');
    }
    out.append('\n');
  }

  private void latexLine(SplittableRandom random, StringBuilder out) {
    if (random.nextInt(3) == 0) {
      out.append("\\begin{equation}\n\\int_0^{")
          .append(random.nextInt(9) + 1)
          .append("} f_{")
          .append(word(random))
          .append("}(x)\\,dx = \\frac{")
          .append(random.nextInt(100))
          .append("}{")
          .append(random.nextInt(99) + 1)
          .append("}\n\\end{equation}\n");
    } else {
      proseLine(random, out);
    }
  }
}
