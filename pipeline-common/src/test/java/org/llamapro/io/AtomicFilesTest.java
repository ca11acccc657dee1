package org.llamapro.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file is replaced whole or not at all, and no temporary file is left behind. */
class AtomicFilesTest {
  @TempDir Path temp;

  @Test
  void replacesTheContentWhole() throws IOException {
    Path file = temp.resolve("state.json");
    AtomicFiles.writeString(file, "a much longer first version of the file\n");
    AtomicFiles.writeString(file, "short\n");
    assertEquals("short\n", Files.readString(file));
    assertEquals(List.of(file), entries());
  }

  @Test
  void aFailingWriteLeavesTheOldFileAndNoTemporary() throws IOException {
    Path file = temp.resolve("state.json");
    AtomicFiles.writeString(file, "old\n");
    IOException e = assertThrows(IOException.class, () -> failingWrite(file));
    assertEquals("disk full", e.getMessage());
    assertEquals("old\n", Files.readString(file));
    assertEquals(List.of(file), entries());
  }

  @Test
  void aFailingFirstWriteCreatesNothing() {
    assertThrows(IOException.class, () -> failingWrite(temp.resolve("new.json")));
    assertEquals(List.of(), entries());
  }

  @Test
  void temporarySiblingsAreHiddenNextToTheTarget() {
    Path sibling = AtomicFiles.temporarySibling(temp.resolve("model"), "out.tmp");
    assertEquals(temp.toAbsolutePath(), sibling.getParent());
    assertEquals(true, sibling.getFileName().toString().startsWith(".model.out.tmp-"));
  }

  /** Writes half the content, then fails as a full disk would. */
  private static void failingWrite(Path file) throws IOException {
    AtomicFiles.write(
        file,
        out -> {
          out.write("half of the new ".getBytes(StandardCharsets.UTF_8));
          throw new IOException("disk full");
        });
  }

  private List<Path> entries() {
    try (Stream<Path> list = Files.list(temp)) {
      return list.sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
