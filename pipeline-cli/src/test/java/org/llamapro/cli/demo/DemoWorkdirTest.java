package org.llamapro.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo writes into, and with --fresh deletes, only a directory it made itself. */
class DemoWorkdirTest {
  @TempDir Path temp;

  @Test
  void aNewDirectoryIsMarkedBeforeAnyStageWrites() throws IOException {
    Path work = temp.resolve("demo-work");
    Path stages = DemoWorkdir.open(work, false, Map.of());
    assertEquals(work.resolve(DemoWorkdir.MARKER), stages);
    assertTrue(Files.isDirectory(stages));
  }

  @Test
  void aForeignDirectoryIsRefusedAndLeftAlone() throws IOException {
    Path home = Files.createDirectories(temp.resolve("home"));
    Path thesis = Files.writeString(home.resolve("thesis.tex"), "years of work");
    for (boolean fresh : new boolean[] {false, true}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> DemoWorkdir.open(home, fresh, Map.of()));
      assertEquals(
          "--workdir "
              + home
              + " is not empty and has no .stages/, so the demo did not write it; remove it"
              + " yourself or choose another --workdir",
          e.getMessage());
      assertTrue(Files.exists(thesis));
      assertFalse(Files.exists(home.resolve(DemoWorkdir.MARKER)));
    }
  }

  @Test
  void freshDeletesOnlyTheDemosOwnDirectory() throws IOException {
    Path work = temp.resolve("demo-work");
    DemoWorkdir.open(work, false, Map.of());
    Path old = Files.writeString(work.resolve("report.md"), "old report");
    DemoWorkdir.open(work, false, Map.of());
    assertTrue(Files.exists(old), "a rerun without --fresh must keep finished work");
    DemoWorkdir.open(work, true, Map.of());
    assertFalse(Files.exists(old));
    assertTrue(Files.isDirectory(work.resolve(DemoWorkdir.MARKER)));
  }

  @Test
  void theWorkDirectoryMustNotHoldTheCorpus() throws IOException {
    Path corpus = Files.createDirectories(temp.resolve("repo/demo/corpus"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DemoWorkdir.open(temp.resolve("repo"), true, Map.of("demo.corpus", corpus)));
    assertTrue(
        e.getMessage().startsWith("--workdir " + temp.resolve("repo") + " contains demo.corpus"),
        e.getMessage());
    assertTrue(Files.isDirectory(corpus));
  }
}
