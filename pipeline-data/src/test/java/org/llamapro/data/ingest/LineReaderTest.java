package org.llamapro.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineReaderTest {
  private static String text(LineReader reader) {
    return new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8);
  }

  @Test
  void splitsLinesDropsCarriageReturnAndKeepsALastLineWithoutNewline() throws Exception {
    LineReader reader =
        new LineReader(new ByteArrayInputStream("a\r\n\nbc".getBytes(StandardCharsets.UTF_8)), 100);
    assertTrue(reader.next());
    assertEquals("a", text(reader));
    assertTrue(reader.next());
    assertEquals("", text(reader));
    assertTrue(reader.next());
    assertEquals("bc", text(reader));
    assertEquals(3, reader.lineNumber());
    assertFalse(reader.next());
  }

  @Test
  void aTooLongLineIsSkippedToItsEndAndFlagged() throws Exception {
    LineReader reader =
        new LineReader(
            new ByteArrayInputStream("0123456789\nok\n".getBytes(StandardCharsets.UTF_8)), 5);
    assertTrue(reader.next());
    assertTrue(reader.overflowed());
    assertEquals(10, reader.fullLength());
    assertTrue(reader.next());
    assertFalse(reader.overflowed());
    assertEquals("ok", text(reader));
  }
}
