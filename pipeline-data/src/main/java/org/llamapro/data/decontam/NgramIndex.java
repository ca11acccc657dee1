package org.llamapro.data.decontam;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.llamapro.data.text.Words;
import org.llamapro.hash.Hash64;

/**
 * The n-grams of the evaluation items, as a sorted array of 64-bit hashes with the item each came
 * from: compact enough to broadcast (about 12 bytes per n-gram) and searched in O(log n).
 */
public final class NgramIndex implements Serializable {
  private static final long serialVersionUID = 1L;

  /** One evaluation item: its set, its name within the set, and its texts (one per field). */
  public record Item(String set, String id, List<String> texts) implements Serializable {}

  private final int n;
  private final long[] hashes;
  private final int[] items;
  private final String[] itemSets;
  private final String[] itemIds;
  private final int itemsWithoutNgrams;

  private NgramIndex(
      int n, long[] hashes, int[] items, String[] itemSets, String[] itemIds, int without) {
    this.n = n;
    this.hashes = hashes;
    this.items = items;
    this.itemSets = itemSets;
    this.itemIds = itemIds;
    this.itemsWithoutNgrams = without;
  }

  /** Indexes the word n-grams of every field text of every item (n-grams never span fields). */
  public static NgramIndex build(List<Item> evalItems, int n) {
    long[][] pairs = new long[0][];
    int count = 0;
    int without = 0;
    for (int item = 0; item < evalItems.size(); item++) {
      int before = count;
      for (String text : evalItems.get(item).texts()) {
        long[] grams = ngrams(text, n);
        if (count + grams.length > pairs.length) {
          pairs = Arrays.copyOf(pairs, Math.max(pairs.length * 2, count + grams.length));
        }
        for (long gram : grams) {
          pairs[count++] = new long[] {gram, item};
        }
      }
      if (count == before) {
        without++;
      }
    }
    long[][] sorted = Arrays.copyOf(pairs, count);
    // Sort by hash, then item: a hash shared by items keeps the first item.
    Arrays.sort(
        sorted, (x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    long[] hashes = new long[count];
    int[] items = new int[count];
    int distinct = 0;
    for (long[] pair : sorted) {
      if (distinct == 0 || hashes[distinct - 1] != pair[0]) {
        hashes[distinct] = pair[0];
        items[distinct] = (int) pair[1];
        distinct++;
      }
    }
    String[] sets = evalItems.stream().map(Item::set).toArray(String[]::new);
    String[] ids = evalItems.stream().map(Item::id).toArray(String[]::new);
    return new NgramIndex(
        n, Arrays.copyOf(hashes, distinct), Arrays.copyOf(items, distinct), sets, ids, without);
  }

  /** Hashes of the word n-grams of a text (lowercased words, as for documents). */
  public static long[] ngrams(String text, int n) {
    List<String> words = Words.split(text, true);
    if (words.size() < n) {
      return new long[0];
    }
    long[] wordHashes = new long[words.size()];
    for (int i = 0; i < wordHashes.length; i++) {
      wordHashes[i] = Hash64.of(words.get(i));
    }
    long[] grams = new long[wordHashes.length - n + 1];
    for (int i = 0; i < grams.length; i++) {
      grams[i] = Hash64.ofSequence(wordHashes, i, n);
    }
    return grams;
  }

  /** The item an n-gram hash belongs to, or -1. */
  public int find(long hash) {
    int at = Arrays.binarySearch(hashes, hash);
    return at < 0 ? -1 : items[at];
  }

  public int n() {
    return n;
  }

  public int size() {
    return hashes.length;
  }

  public int items() {
    return itemIds.length;
  }

  /** Items shorter than n words in every field: they cannot be matched. */
  public int itemsWithoutNgrams() {
    return itemsWithoutNgrams;
  }

  public String itemSet(int item) {
    return itemSets[item];
  }

  public String itemId(int item) {
    return itemIds[item];
  }
}
