package org.llamapro.tools.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code proof-pile-2/arxiv}: LaTeX sources of mathematical documents. No arXiv paper ships in a
 * package under a permissive licence, so these are the LaTeX documents among TeX Live's
 * documentation whose own files state an MIT, BSD or public-domain licence (checked one by one):
 * papers and journal templates with equations, and math-typesetting manuals.
 */
final class ArxivSubset {
  static final String DIR = "proof-pile-2/arxiv/";
  private static final String DOC = "usr/share/doc/texlive-doc/";

  /** package, path under usr/share/doc/texlive-doc, licence as the file states it. */
  private record Source(SourcePackage pkg, String path, String license) {}

  private static final List<Source> SOURCES =
      List.of(
          new Source(
              SourcePackage.TEXLIVE_SCIENCE_DOC,
              "generic/tex-ewd/p0.tex",
              "BSD-style (bsdlic.txt)"),
          new Source(
              SourcePackage.TEXLIVE_SCIENCE_DOC,
              "generic/tex-ewd/t1.tex",
              "BSD-style (bsdlic.txt)"),
          new Source(
              SourcePackage.TEXLIVE_SCIENCE_DOC,
              "generic/commutative-diagrams/commutative-diagrams-doc.tex",
              "MIT"),
          new Source(SourcePackage.TEXLIVE_SCIENCE_DOC, "latex/tensind/tensind.tex", "MIT"),
          new Source(
              SourcePackage.TEXLIVE_SCIENCE_DOC,
              "latex/correctmathalign/correctmathalign.tex",
              "BSD-2-Clause"),
          new Source(
              SourcePackage.TEXLIVE_SCIENCE_DOC,
              "latex/mathpunctspace/mathpunctspace.tex",
              "BSD-2-Clause"),
          new Source(
              SourcePackage.TEXLIVE_PUBLISHERS_DOC, "latex/asmeconf/asmeconf-template.tex", "MIT"),
          new Source(
              SourcePackage.TEXLIVE_PUBLISHERS_DOC,
              "latex/asmeconf/examples/asmeconf-lualatex-ode-example.tex",
              "MIT"),
          new Source(
              SourcePackage.TEXLIVE_PUBLISHERS_DOC,
              "latex/asmejour/asmewide_example/asmejour-wide-equation-examples.tex",
              "MIT"),
          new Source(
              SourcePackage.TEXLIVE_PUBLISHERS_DOC,
              "latex/seu-ml-assign/seu-ml-assign-doc.tex",
              "MIT"),
          // Held out for validation.
          new Source(SourcePackage.TEXLIVE_SCIENCE_DOC, "latex/accents/accents.tex", "MIT"));

  private ArxivSubset() {}

  static List<CorpusFile> build(Path sources, PlantedDuplicates planted, SplittableRandom random)
      throws IOException {
    CorpusFile train = new CorpusFile(DIR + "train/arXiv_000.jsonl.zst");
    CorpusFile validation = new CorpusFile(DIR + "validation/arXiv_000.jsonl.zst");
    for (int i = 0; i < SOURCES.size(); i++) {
      Source source = SOURCES.get(i);
      Path file = source.pkg().root(sources).resolve(DOC + source.path());
      if (!Files.exists(file)) {
        // Debian compresses larger documentation files; build-corpus.sh does not unpack them.
        file = file.resolveSibling(file.getFileName() + ".gz");
      }
      String text = readMaybeGzip(file);
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("language", "en");
      meta.put("license", source.license());
      meta.put("package", source.pkg().label());
      meta.put("package_path", source.pkg().packagePath(sources, file));
      (i == SOURCES.size() - 1 ? validation : train).docs().add(new JsonDoc(text, meta));
    }
    // Planted: a paper uploaded twice; a second version with its comment lines stripped.
    JsonDoc original = (JsonDoc) train.docs().get(0);
    JsonDoc copy = original.withText(original.text(), Map.of("copy", 1));
    train.insertAtRandom(copy, random);
    planted.exact(original, copy, "arxiv: the same paper twice");

    // The first paper whose comments are a small part of it (the edit must stay a near copy).
    JsonDoc near = null;
    JsonDoc nearOriginal = null;
    for (CorpusDoc doc : train.docs()) {
      String stripped = NearDuplicateEdits.stripLatexCommentLines(doc.text());
      double jaccard =
          org.llamapro.data.dedupe.Shingler.jaccard(Shingles.of(doc.text()), Shingles.of(stripped));
      if (doc != original && doc != copy && jaccard >= 0.8 && jaccard < 1.0) {
        nearOriginal = (JsonDoc) doc;
        near = nearOriginal.withText(stripped, Map.of("copy", 1));
        break;
      }
    }
    if (near == null) {
      throw new IllegalStateException("No arxiv document suits a comment-stripped near copy");
    }
    train.insertAtRandom(near, random);
    planted.near(nearOriginal, near, "arxiv: a later version with the comment lines removed");
    return List.of(train, validation);
  }

  private static String readMaybeGzip(Path file) throws IOException {
    if (!file.toString().endsWith(".gz")) {
      return CorpusText.readUtf8(file);
    }
    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
      return CorpusText.decodeUtf8(in.readAllBytes(), file.toString());
    }
  }
}
