package org.llamapro.tools.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code proof-pile-2/open-web-math}: mathematical web pages, here the reStructuredText/Markdown
 * sources of the mpmath and SymPy documentation sites (both BSD-3-Clause) as Debian ships them
 * beside the HTML: prose with inline and display LaTeX, like OpenWebMath's extracted pages.
 */
final class OpenWebMathSubset {
  static final String DIR = "proof-pile-2/open-web-math/";

  private OpenWebMathSubset() {}

  static List<CorpusFile> build(Path sources, PlantedDuplicates planted, SplittableRandom random)
      throws IOException {
    List<JsonDoc> docs = new ArrayList<>();
    String mpmath = "usr/share/doc/python-mpmath-doc/html/_sources";
    addAll(
        docs,
        sources,
        SourcePackage.MPMATH_DOC,
        SourcePackage.MPMATH_DOC.files(
            sources,
            mpmath,
            p -> p.toString().endsWith(".txt") && Select.sizeBetween(1_000, 60_000).test(p)));
    String sympy = "usr/share/doc/python-sympy-doc/html/_sources/";
    for (String under :
        List.of("tutorials/intro-tutorial", "explanation/special_topics", "guides/solving")) {
      addAll(
          docs,
          sources,
          SourcePackage.SYMPY_DOC,
          SourcePackage.SYMPY_DOC.files(sources, sympy + under, Select.sizeBetween(1_000, 30_000)));
    }
    CorpusFile train = new CorpusFile(DIR + "train/shard-0000.jsonl.zst");
    CorpusFile validation = new CorpusFile(DIR + "validation/shard-0000.jsonl.zst");
    for (int i = 0; i < docs.size(); i++) {
      (i % 12 == 5 ? validation : train).docs().add(docs.get(i));
    }

    // Planted: the same page crawled twice; a page re-crawled after an edit removed a few lines.
    JsonDoc original = (JsonDoc) train.docs().get(2);
    JsonDoc copy = original.withText(original.text(), Map.of("copy", 1));
    train.insertAtRandom(copy, random);
    planted.exact(original, copy, "open-web-math: the same page twice");

    JsonDoc nearOriginal = largest(train);
    JsonDoc near =
        nearOriginal.withText(
            NearDuplicateEdits.dropLines(nearOriginal.text(), 4, random), Map.of("copy", 1));
    train.insertAtRandom(near, random);
    planted.near(nearOriginal, near, "open-web-math: page with 4 lines removed");
    return List.of(train, validation);
  }

  private static JsonDoc largest(CorpusFile file) {
    JsonDoc best = null;
    for (CorpusDoc doc : file.docs()) {
      if (best == null || doc.text().length() > best.text().length()) {
        best = (JsonDoc) doc;
      }
    }
    return best;
  }

  private static void addAll(List<JsonDoc> docs, Path sources, SourcePackage pkg, List<Path> files)
      throws IOException {
    for (Path file : files) {
      String text = CorpusText.readUtf8(file);
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("title", title(text));
      meta.put("license", "BSD-3-Clause");
      meta.put("package", pkg.label());
      meta.put("package_path", pkg.packagePath(sources, file));
      docs.add(new JsonDoc(text, meta));
    }
  }

  /** The first line that is a heading's text (not an rst directive, label or underline). */
  static String title(String text) {
    for (String line : text.lines().toList()) {
      String s = line.strip();
      if (s.startsWith("# ")) {
        return s.substring(2).strip();
      }
      if (!s.isEmpty()
          && !s.startsWith("..")
          && !s.startsWith(":")
          && !s.matches("[=\\-~*^#`]+")
          && Character.isLetterOrDigit(s.charAt(0))) {
        return s;
      }
    }
    return "";
  }
}
