package org.llamapro.tools.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Deterministic selection rules: size windows and an even stride down a sorted list. */
final class Select {
  private Select() {}

  /** Files whose size in bytes is within [min, max]. */
  static Predicate<Path> sizeBetween(long min, long max) {
    return file -> {
      try {
        long size = Files.size(file);
        return size >= min && size <= max;
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot stat " + file, e);
      }
    };
  }

  /** Keeps every k-th file of the sorted list, with k the smallest stride that fits the budget. */
  static List<Path> withinBudget(List<Path> sorted, long budgetBytes) {
    long total = 0;
    for (Path file : sorted) {
      total += size(file);
    }
    int stride = (int) Math.max(1, (total + budgetBytes - 1) / budgetBytes);
    List<Path> kept = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i += stride) {
      kept.add(sorted.get(i));
    }
    return kept;
  }

  /** Files that decode as UTF-8 (a few old documentation files are Latin-1). */
  static List<Path> utf8Only(List<Path> files) {
    List<Path> kept = new ArrayList<>();
    for (Path file : files) {
      try {
        if (CorpusText.isUtf8(file)) {
          kept.add(file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file, e);
      }
    }
    return kept;
  }

  /**
   * Drops each document at least {@code threshold} similar (word 5-gram Jaccard) to an earlier kept
   * one: sources have a few natural near-duplicates, and the corpus's must all be planted.
   */
  static <T extends CorpusDoc> List<T> dropSimilar(List<T> docs, double threshold) {
    List<T> kept = new ArrayList<>();
    List<long[]> keptShingles = new ArrayList<>();
    for (T doc : docs) {
      long[] shingles = Shingles.of(doc.text());
      boolean similar = false;
      for (long[] other : keptShingles) {
        if (org.llamapro.data.dedupe.Shingler.jaccard(shingles, other) >= threshold) {
          similar = true;
          break;
        }
      }
      if (!similar) {
        kept.add(doc);
        keptShingles.add(shingles);
      }
    }
    return kept;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stat " + file, e);
    }
  }
}
