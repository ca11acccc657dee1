package org.llamapro.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedDirectoryTest {
  @TempDir Path temp;

  /** A pid that has certainly ended: a process this test started and waited for. */
  private static long deadPid() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    return finished.pid();
  }

  private Path staging(String name, String owner) throws IOException {
    Path dir = Files.createDirectories(temp.resolve(name));
    Files.writeString(dir.resolve(StagedDirectory.OWNER_FILE), owner + "\n");
    Files.writeString(dir.resolve("model.safetensors"), "half written");
    return dir;
  }

  private List<String> names() throws IOException {
    try (Stream<Path> entries = Files.list(temp)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void createRemovesTheStagingDirectoryOfADeadOwner() throws Exception {
    Path stale = staging(".out.tmp-5eed", deadPid() + " 2024-01-01T00:00:00Z");
    Path ownerless = Files.createDirectories(temp.resolve(".out.old-01d")); // moved aside, no owner
    Path otherTarget = staging(".other.tmp-5eed", deadPid() + " ?");
    try (StagedDirectory staged = StagedDirectory.create(temp.resolve("out"))) {
      assertFalse(Files.exists(stale), "a killed run's staging directory is removed");
      assertFalse(Files.exists(ownerless));
      assertTrue(Files.exists(otherTarget), "only those of the same target are touched");
      assertTrue(Files.isDirectory(staged.path()));
      assertTrue(staged.path().getFileName().toString().startsWith(".out.tmp-"));
    }
  }

  @Test
  void createKeepsTheStagingDirectoryOfALiveOwner() throws Exception {
    ProcessHandle self = ProcessHandle.current();
    String started = self.info().startInstant().map(Instant::toString).orElse("?");
    Path live = staging(".out.tmp-11fe", self.pid() + " " + started);
    try (StagedDirectory staged = StagedDirectory.create(temp.resolve("out"))) {
      assertTrue(Files.exists(live.resolve("model.safetensors")), "a running writer's is kept");
    }
    // Same pid but another start time: the pid was reused, the owner is gone.
    Files.writeString(
        live.resolve(StagedDirectory.OWNER_FILE), self.pid() + " 1999-01-01T00:00:00Z\n");
    assertEquals(List.of(live), StagedDirectory.removeStale(temp.resolve("out")));
  }

  @Test
  void publishReplacesTheTargetWithTheStagedContent() throws IOException {
    Path target = Files.createDirectories(temp.resolve("out"));
    Files.writeString(target.resolve("old.txt"), "previous run");
    try (StagedDirectory staged = StagedDirectory.create(target)) {
      Files.writeString(staged.path().resolve("new.txt"), "this run");
      staged.publish();
    }
    assertEquals("this run", Files.readString(target.resolve("new.txt")));
    assertFalse(Files.exists(target.resolve("old.txt")));
    assertFalse(
        Files.exists(target.resolve(StagedDirectory.OWNER_FILE)),
        "the owner file is not published");
    assertEquals(List.of("out"), names(), "no staging or moved-aside directory left");
  }

  @Test
  void closeDeletesAnUnpublishedStagingDirectory() throws IOException {
    Path staging;
    try (StagedDirectory staged = StagedDirectory.create(temp.resolve("out"))) {
      staging = staged.path();
      Files.writeString(staging.resolve("model.safetensors"), "never finished");
    }
    assertFalse(Files.exists(staging));
    assertEquals(List.of(), names(), "neither the target nor its staging directory exists");
  }
}
