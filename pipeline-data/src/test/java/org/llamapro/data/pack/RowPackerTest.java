package org.llamapro.data.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.llamapro.shards.ShardRow;

class RowPackerTest {
  private static List<ShardRow> pack(
      TailPolicy tail, BosPolicy bos, PackCounts counts, int[]... docs) {
    List<ShardRow> rows = new ArrayList<>();
    RowPacker packer = new RowPacker("train", 3, 8, bos, tail, 0, counts, rows::add);
    for (int i = 0; i < docs.length; i++) {
      packer.add("d" + i, i % 2 == 0 ? "a" : "b", docs[i]);
    }
    packer.finish();
    return rows;
  }

  @Test
  void documentsAreBosIdsEosAndRowsHaveExactlySeqLenTokens() {
    PackCounts counts = new PackCounts();
    List<ShardRow> rows =
        pack(
            TailPolicy.DROP,
            BosPolicy.DOCUMENT,
            counts,
            new int[] {10, 11, 12},
            new int[] {20, 21, 22, 23, 24, 25});
    // 5 + 8 = 13 tokens: one full row, 5 dropped.
    assertEquals(1, rows.size());
    ShardRow row = rows.get(0);
    assertArrayEquals(new int[] {1, 10, 11, 12, 2, 1, 20, 21}, row.inputIds());
    assertArrayEquals(new int[] {0, 5}, row.docStarts());
    assertEquals(List.of("a", "b"), row.docSources());
    assertEquals(List.of("d0", "d1"), row.docIds());
    assertFalse(row.firstContinues());
    assertEquals(8, row.numTokens());
    assertEquals(5, counts.source("train", "a").tokensInRows);
    assertEquals(3, counts.source("train", "b").tokensInRows);
    assertEquals(5, counts.source("train", "b").tokensDropped);
    assertEquals(1, counts.rows("train"));
  }

  @Test
  void longDocumentContinuesAcrossRowsAndPaddedTailIsCounted() {
    PackCounts counts = new PackCounts();
    int[] body = new int[17];
    for (int i = 0; i < body.length; i++) {
      body[i] = 100 + i;
    }
    List<ShardRow> rows = pack(TailPolicy.PAD, BosPolicy.NONE, counts, body);
    // 18 tokens: rows of 8, 8, 2 + 6 padding.
    assertEquals(3, rows.size());
    assertTrue(rows.get(1).firstContinues());
    assertTrue(rows.get(2).firstContinues());
    assertEquals(2, rows.get(2).numTokens());
    assertArrayEquals(new int[] {116, 2, 0, 0, 0, 0, 0, 0}, rows.get(2).inputIds());
    assertEquals(6, counts.padTokens("train"));
    assertEquals(18, counts.source("train", "a").tokensInRows);
    assertEquals(List.of(0L, 1L, 2L), rows.stream().map(ShardRow::row).toList());
  }

  @Test
  void documentEndingExactlyAtRowEndStartsNextRowFresh() {
    PackCounts counts = new PackCounts();
    List<ShardRow> rows =
        pack(
            TailPolicy.PAD,
            BosPolicy.DOCUMENT,
            counts,
            new int[] {5, 6, 7, 8, 9, 10},
            new int[] {7});
    assertEquals(2, rows.size());
    assertFalse(rows.get(1).firstContinues());
    assertArrayEquals(new int[] {0}, rows.get(1).docStarts());
    assertArrayEquals(new int[] {1, 7, 2, 0, 0, 0, 0, 0}, rows.get(1).inputIds());
  }

  @Test
  void rowViewsForTheTrainer() {
    List<ShardRow> rows =
        pack(
            TailPolicy.PAD,
            BosPolicy.DOCUMENT,
            new PackCounts(),
            new int[] {31999, 5},
            new int[] {7});
    ShardRow row = rows.get(0);
    // [1, 31999, 5, 2 | 1, 7, 2 | pad]
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, -1}, row.segmentIndex());
    assertEquals((short) 31999, row.inputIdsAsShorts()[1]);
    assertEquals(7, row.numTokens());
  }
}
