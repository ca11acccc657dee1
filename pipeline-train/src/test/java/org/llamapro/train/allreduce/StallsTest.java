package org.llamapro.train.allreduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StallsTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void aDirectionTimesOutOnlyAfterStallingForTheWholeTimeout() {
    Stalls stalls = new Stalls(10 * SECOND);
    long t0 = 1_000 * SECOND;
    stalls.stalled(t0, true, false);
    assertFalse(stalls.readTimedOut(t0 + 9 * SECOND));
    assertTrue(stalls.readTimedOut(t0 + 10 * SECOND));
    // Stalling again later does not restart a clock that is already running.
    stalls.stalled(t0 + 5 * SECOND, true, true);
    assertTrue(stalls.readTimedOut(t0 + 10 * SECOND));
    assertFalse(stalls.writeTimedOut(t0 + 10 * SECOND));
    // Progress restarts it.
    stalls.readProgressed();
    stalls.stalled(t0 + 12 * SECOND, true, false);
    assertFalse(stalls.readTimedOut(t0 + 15 * SECOND));
  }

  @Test
  void waitsUntilTheOlderStallTimesOut() {
    Stalls stalls = new Stalls(10 * SECOND);
    long t0 = 1_000 * SECOND;
    stalls.stalled(t0, false, true);
    stalls.stalled(t0 + 4 * SECOND, true, true);
    assertEquals(4_000, stalls.waitMillis(t0 + 6 * SECOND, true, true));
    assertEquals(8_000, stalls.waitMillis(t0 + 6 * SECOND, true, false));
    assertEquals(1, stalls.waitMillis(t0 + 20 * SECOND, true, true), "at least 1 ms");
  }

  @Test
  void noteNamesOnlyLongWaits() {
    Stalls stalls = new Stalls(10 * SECOND);
    assertEquals("", stalls.note("rank 2 (h:1)", "rank 0 (h:2)"));
    stalls.stalled(System.nanoTime() - 3 * SECOND, true, false);
    String note = stalls.note("rank 2 (h:1)", "rank 0 (h:2)");
    assertTrue(note.startsWith("; this rank had waited "), note);
    assertTrue(note.endsWith(" ms for data from rank 2 (h:1)"), note);
  }

  @Test
  void formatsWholeSecondsAndMilliseconds() {
    assertEquals("60 s", Stalls.format(60 * SECOND));
    assertEquals("1500 ms", Stalls.format(1_500_000_000L));
  }
}
