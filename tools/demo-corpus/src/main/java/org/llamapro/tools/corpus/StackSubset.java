package org.llamapro.tools.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code stack/data/python/}: The-Stack-Dedup-shaped Python files. CPython 3.11's standard library
 * (PSF-2.0) and SymPy's non-algebra modules (BSD-3-Clause), with about 5% exact and 5% near
 * duplicates planted, and one SymPy module that algebraic-stack carries too.
 */
final class StackSubset {
  static final String FILE = "stack/data/python/train-00000-of-00001.parquet";
  private static final Logger LOG = LoggerFactory.getLogger(StackSubset.class);
  private static final String PYLIB = "usr/lib/python3.11";

  /**
   * Left out: tests and GUI demos; encodings/ (generated codec tables, natural near-duplicates of
   * one another); and the files Debian's copyright lists under a licence other than the PSF's
   * (logging, multiprocessing, sqlite3, async*, tarfile, turtle), so every CPython row is PSF-2.0.
   */
  private static final Pattern CPYTHON_EXCLUDED =
      Pattern.compile(
          "(^|.*/)(test|tests|idlelib|lib2to3|tkinter|turtledemo|ensurepip|encodings|pydoc_data"
              + "|site-packages|dist-packages|__phello__|logging|multiprocessing|sqlite3)/.*"
              + "|^config-3.*|^async.*|^tarfile\\.py|^turtle\\.py");

  private StackSubset() {}

  static CorpusFile build(
      Path sources, JsonDoc crossSourceOriginal, PlantedDuplicates planted, SplittableRandom random)
      throws IOException {
    List<StackRow> originals = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (SourcePackage pkg : List.of(SourcePackage.CPYTHON_MINIMAL, SourcePackage.CPYTHON_STDLIB)) {
      Path lib = pkg.root(sources).resolve(PYLIB);
      List<Path> files =
          pkg.files(
              sources,
              PYLIB,
              p -> {
                String rel = lib.relativize(p).toString();
                return rel.endsWith(".py")
                    && !CPYTHON_EXCLUDED.matcher(rel).matches()
                    && Select.sizeBetween(500, 20_000).test(p);
              });
      for (Path file :
          Select.withinBudget(files, pkg == SourcePackage.CPYTHON_MINIMAL ? 600_000 : 1_200_000)) {
        addUnique(
            originals, seen, file, "python/cpython", "Lib/" + lib.relativize(file), "PSF-2.0");
      }
    }
    Path sympyRoot = SourcePackage.SYMPY.root(sources).resolve("usr/lib/python3/dist-packages");
    for (Path file :
        Select.withinBudget(AlgebraicStackSubset.sympyFiles(sources, false), 800_000)) {
      addUnique(
          originals,
          seen,
          file,
          "sympy/sympy",
          sympyRoot.relativize(file).toString(),
          "BSD-3-Clause");
    }
    LOG.info(
        "stack: {} original files, {} from CPython",
        originals.size(),
        originals.stream().filter(r -> r.maxStarsRepoName().equals("python/cpython")).count());

    CorpusFile out = new CorpusFile(FILE);
    out.docs().addAll(originals);

    // Exact copies: the same file vendored in another repository, with no licence detected there,
    // so a keep policy that prefers licensed files has a choice to make.
    int plantCount = Math.round(originals.size() * 0.05f);
    List<StackRow> big = originals.stream().filter(r -> r.size() >= 3_000).toList();
    List<StackRow> shuffled = new ArrayList<>(big);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      java.util.Collections.swap(shuffled, i, random.nextInt(i + 1));
    }
    for (int i = 0; i < plantCount; i++) {
      StackRow original = shuffled.get(i);
      StackRow copy =
          StackRow.of(
              original.content(),
              "planted-copies/" + original.maxStarsRepoName().replace('/', '-') + "-vendored",
              "vendor/" + original.maxStarsRepoPath(),
              List.of());
      out.insertAtRandom(copy, random);
      planted.exact(original, copy, "stack: file vendored into another repository");
    }
    // Near copies: a fork that deleted a few lines and re-spaced the file.
    for (int i = plantCount; i < 2 * plantCount; i++) {
      StackRow original = shuffled.get(i);
      String edited = NearDuplicateEdits.dropLines(original.content(), 3, random);
      String how;
      switch (i % 3) {
        case 0 -> {
          edited = NearDuplicateEdits.crlf(edited);
          how = "stack: fork with 3 lines removed and CRLF line endings";
        }
        case 1 -> {
          edited = NearDuplicateEdits.tabIndent(edited);
          how = "stack: fork with 3 lines removed and tab indentation";
        }
        default -> how = "stack: fork with 3 lines removed";
      }
      StackRow near =
          StackRow.of(
              edited,
              "planted-forks/" + original.maxStarsRepoName().replace('/', '-') + "-fork",
              original.maxStarsRepoPath(),
              original.maxStarsRepoLicenses());
      out.insertAtRandom(near, random);
      planted.near(original, near, how);
    }
    // The SymPy module also in algebraic-stack, under its own repository and path.
    StackRow cross =
        StackRow.of(
            crossSourceOriginal.text(),
            "sympy/sympy",
            (String) crossSourceOriginal.meta().get("max_stars_repo_path"),
            List.of("BSD-3-Clause"));
    out.insertAtRandom(cross, random);
    planted.exact(
        crossSourceOriginal,
        cross,
        "cross-source: a SymPy module in algebraic-stack and the stack");
    return out;
  }

  private static void addUnique(
      List<StackRow> rows, Set<String> seen, Path file, String repo, String path, String license)
      throws IOException {
    String content = CorpusText.readUtf8(file);
    // A few library files are byte-identical (e.g. tiny shims); keep the first so that every
    // exact duplicate in the corpus is a planted one.
    if (seen.add(content)) {
      rows.add(StackRow.of(content, repo, path, List.of(license)));
    } else {
      LOG.info("stack: skipped {} (same content as an earlier file)", path);
    }
  }
}
