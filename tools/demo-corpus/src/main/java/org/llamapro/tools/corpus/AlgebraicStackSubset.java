package org.llamapro.tools.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code proof-pile-2/algebraic-stack}: mathematical code. SymPy's algebra modules (Python,
 * BSD-3-Clause), the Agda standard library (MIT) and FriCAS's algebra library (SPAD, BSD-3-Clause).
 */
final class AlgebraicStackSubset {
  static final String DIR = "proof-pile-2/algebraic-stack/";

  /** SymPy packages that count as mathematical code here; the rest of SymPy goes to the stack. */
  static final Set<String> SYMPY_MATH_PACKAGES =
      Set.of(
          "ntheory",
          "polys",
          "combinatorics",
          "matrices",
          "solvers",
          "integrals",
          "series",
          "functions",
          "calculus",
          "sets",
          "logic",
          "geometry",
          "discrete",
          "holonomic",
          "concrete",
          "tensor");

  /** What the stack needs from here: the SymPy module planted in both subsets. */
  record Result(List<CorpusFile> files, JsonDoc crossSourceOriginal) {}

  private AlgebraicStackSubset() {}

  static Result build(Path sources, PlantedDuplicates planted, SplittableRandom random)
      throws IOException {
    List<CorpusFile> files = new ArrayList<>();
    List<JsonDoc> python =
        read(
            sources,
            SourcePackage.SYMPY,
            "usr/lib/python3/dist-packages/sympy",
            Select.withinBudget(sympyFiles(sources, true), 260_000),
            "python",
            "sympy/sympy",
            "usr/lib/python3/dist-packages/",
            "BSD-3-Clause");
    List<JsonDoc> agda =
        read(
            sources,
            SourcePackage.AGDA_STDLIB,
            "usr/share/agda-stdlib",
            Select.withinBudget(
                SourcePackage.AGDA_STDLIB.files(
                    sources,
                    "usr/share/agda-stdlib",
                    p ->
                        p.toString().endsWith(".agda")
                            && Select.sizeBetween(1_500, 16_000).test(p)),
                170_000),
            "agda",
            "agda/agda-stdlib",
            "usr/share/agda-stdlib/",
            "MIT");
    List<JsonDoc> fricas =
        read(
            sources,
            SourcePackage.FRICAS_SOURCE,
            "usr/share/fricas/src/algebra",
            Select.withinBudget(
                SourcePackage.FRICAS_SOURCE.files(
                    sources,
                    "usr/share/fricas/src/algebra",
                    p ->
                        p.toString().endsWith(".spad")
                            && Select.sizeBetween(3_000, 30_000).test(p)),
                200_000),
            "spad",
            "fricas/fricas",
            "usr/share/fricas/",
            "BSD-3-Clause");

    // Every 8th document (from the 4th) is held out for validation.
    files.addAll(split("python", python));
    files.addAll(split("agda", agda));
    files.addAll(split("fricas", fricas));
    CorpusFile pythonTrain = files.get(0);
    CorpusFile agdaTrain = files.get(2);
    CorpusFile fricasTrain = files.get(4);

    // Planted: an Agda module vendored twice; a FriCAS file with a few lines gone.
    JsonDoc agdaOriginal = (JsonDoc) agdaTrain.docs().get(agdaTrain.docs().size() / 2);
    JsonDoc agdaCopy = agdaOriginal.withText(agdaOriginal.text(), Map.of("copy", 1));
    agdaTrain.insertAtRandom(agdaCopy, random);
    planted.exact(agdaOriginal, agdaCopy, "algebraic-stack: the same Agda module twice");

    JsonDoc fricasOriginal = (JsonDoc) fricasTrain.docs().get(fricasTrain.docs().size() / 3);
    JsonDoc fricasNear =
        fricasOriginal.withText(
            NearDuplicateEdits.dropLines(fricasOriginal.text(), 3, random), Map.of("copy", 1));
    fricasTrain.insertAtRandom(fricasNear, random);
    planted.near(fricasOriginal, fricasNear, "algebraic-stack: FriCAS file with 3 lines removed");

    // The SymPy module that the stack also carries (The Stack and AlgebraicStack overlap).
    JsonDoc crossSource = (JsonDoc) pythonTrain.docs().get(pythonTrain.docs().size() / 2);
    return new Result(files, crossSource);
  }

  /** SymPy's non-test modules, either the mathematical packages or all the others. */
  static List<Path> sympyFiles(Path sources, boolean math) {
    Path root = SourcePackage.SYMPY.root(sources).resolve("usr/lib/python3/dist-packages/sympy");
    return SourcePackage.SYMPY.files(
        sources,
        "usr/lib/python3/dist-packages/sympy",
        p -> {
          Path rel = root.relativize(p);
          String s = rel.toString();
          boolean isMath =
              rel.getNameCount() > 1 && SYMPY_MATH_PACKAGES.contains(rel.getName(0).toString());
          return s.endsWith(".py")
              && !s.contains("/tests/")
              && !s.startsWith("benchmarks/")
              && !s.contains("/benchmarks/")
              && isMath == math
              && Select.sizeBetween(1_500, 24_000).test(p);
        });
  }

  private static List<JsonDoc> read(
      Path sources,
      SourcePackage pkg,
      String under,
      List<Path> files,
      String lang,
      String repo,
      String repoPathPrefix,
      String license)
      throws IOException {
    List<JsonDoc> docs = new ArrayList<>();
    for (Path file : files) {
      String packagePath = pkg.packagePath(sources, file);
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("lang", lang);
      meta.put("max_stars_repo_name", repo);
      meta.put("max_stars_repo_path", packagePath.substring(repoPathPrefix.length()));
      meta.put("license", license);
      meta.put("package", pkg.label());
      meta.put("package_path", packagePath);
      docs.add(new JsonDoc(CorpusText.readUtf8(file), meta));
    }
    if (docs.isEmpty()) {
      throw new IllegalStateException("No " + lang + " files selected under " + under);
    }
    return docs;
  }

  private static List<CorpusFile> split(String language, List<JsonDoc> docs) {
    CorpusFile train = new CorpusFile(DIR + "train/" + language + "-0000.jsonl.zst");
    CorpusFile validation =
        new CorpusFile(DIR + "validation/" + language + "-validation.jsonl.zst");
    for (int i = 0; i < docs.size(); i++) {
      (i % 8 == 3 ? validation : train).docs().add(docs.get(i));
    }
    return List.of(train, validation);
  }
}
