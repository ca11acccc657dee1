package org.llamapro.tools.corpus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The duplicates planted in the corpus, so the dedupe stage has something to find and the demo and
 * tests know what it should find. Written as {@code planted-duplicates.json}.
 */
final class PlantedDuplicates {
  /** exact: the same text; near: a small edit of it (see {@link NearDuplicateEdits}). */
  enum Kind {
    EXACT,
    NEAR
  }

  record Pair(Kind kind, CorpusDoc original, CorpusDoc duplicate, String how) {}

  private final List<Pair> pairs = new ArrayList<>();

  void exact(CorpusDoc original, CorpusDoc duplicate, String how) {
    if (!original.text().equals(duplicate.text())) {
      throw new IllegalStateException("Exact duplicate differs from its original: " + how);
    }
    pairs.add(new Pair(Kind.EXACT, original, duplicate, how));
  }

  void near(CorpusDoc original, CorpusDoc duplicate, String how) {
    if (original.text().equals(duplicate.text())) {
      throw new IllegalStateException("Near duplicate equals its original: " + how);
    }
    pairs.add(new Pair(Kind.NEAR, original, duplicate, how));
  }

  List<Pair> pairs() {
    return pairs;
  }

  boolean isPlanted(CorpusDoc a, CorpusDoc b) {
    for (Pair pair : pairs) {
      if ((pair.original() == a && pair.duplicate() == b)
          || (pair.original() == b && pair.duplicate() == a)) {
        return true;
      }
    }
    return false;
  }

  /** The JSON document: every pair with both locations, text hashes and similarity. */
  Map<String, Object> toJson(List<CorpusFile> files) {
    List<Object> entries = new ArrayList<>();
    for (Pair pair : pairs) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("kind", pair.kind().name().toLowerCase(java.util.Locale.ROOT));
      entry.put("how", pair.how());
      entry.put(
          "jaccard",
          Math.round(
                  org.llamapro.data.dedupe.Shingler.jaccard(
                          Shingles.of(pair.original().text()), Shingles.of(pair.duplicate().text()))
                      * 1e4)
              / 1e4);
      entry.put("original", locate(pair.original(), files));
      entry.put("duplicate", locate(pair.duplicate(), files));
      entries.add(entry);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put(
        "about",
        "Duplicates planted in the demo corpus. Locations are 0-based rows (Parquet) or lines"
            + " (jsonl.zst); sha256 is of the UTF-8 text (the content column or the text field);"
            + " jaccard is over lower-cased word 5-grams (words: runs of letters, digits, _).");
    json.put("exact", pairs.stream().filter(p -> p.kind() == Kind.EXACT).count());
    json.put("near", pairs.stream().filter(p -> p.kind() == Kind.NEAR).count());
    json.put("pairs", entries);
    return json;
  }

  static Map<String, Object> locate(CorpusDoc doc, List<CorpusFile> files) {
    for (CorpusFile file : files) {
      int index = file.indexOf(doc);
      if (index >= 0) {
        Map<String, Object> location = new LinkedHashMap<>();
        location.put("file", file.path());
        location.put("row", index);
        location.put("sha256", CorpusText.sha256Hex(doc.text()));
        if (doc instanceof StackRow row) {
          location.put("max_stars_repo_name", row.maxStarsRepoName());
          location.put("max_stars_repo_path", row.maxStarsRepoPath());
          location.put("hexsha", row.hexsha());
        }
        return location;
      }
    }
    throw new IllegalStateException("Planted document is in no output file");
  }
}
