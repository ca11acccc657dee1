package org.llamapro.data.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PackDocTest {
  @Test
  void idsUnder65536TravelAsTwoBytesEach() {
    int[] ids = {0, 1, 2, 31_999, 65_535, 40_000};
    PackDoc doc = PackDoc.of("stack", ids);
    assertEquals(1 + 2 * ids.length, doc.encodedIds().length);
    assertArrayEquals(ids, doc.ids());
    assertEquals("stack", doc.source());
  }

  @Test
  void largerIdsTravelAsFourBytesEach() {
    int[] ids = {5, 65_536, 150_000, 0};
    PackDoc doc = PackDoc.of("arxiv", ids);
    assertEquals(1 + 4 * ids.length, doc.encodedIds().length);
    assertArrayEquals(ids, doc.ids());
  }

  @Test
  void emptyDocumentRoundTripsAndACorruptWidthIsNamed() {
    assertArrayEquals(new int[0], PackDoc.of("s", new int[0]).ids());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new PackDoc("s", new byte[] {3, 0}).ids());
    assertEquals("Corrupt shuffled document: id width 3", e.getMessage());
  }
}
