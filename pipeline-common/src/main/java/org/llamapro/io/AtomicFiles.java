package org.llamapro.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * Write-to-temp-then-rename for single files: a reader sees the old content or the new one, never a
 * half-written file. The temporary is a hidden sibling ({@code .NAME.tmp-HEX}) so it is on the same
 * filesystem as the target and tools that skip dot-files never read it.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** What writes the content to the temporary file. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  public static void writeString(Path file, String text) throws IOException {
    writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
  }

  public static void writeBytes(Path file, byte[] bytes) throws IOException {
    requireNonNull(bytes, "bytes is null");
    write(file, out -> out.write(bytes));
  }

  /** What writes the content straight to the temporary file's channel (large buffers). */
  @FunctionalInterface
  public interface ChannelContent {
    void writeTo(FileChannel channel) throws IOException;
  }

  /** Writes {@code content} to a temporary sibling, forces it to disk, then renames it over. */
  public static void write(Path file, Content content) throws IOException {
    requireNonNull(content, "content is null");
    writeChannel(
        file,
        channel -> {
          OutputStream out = java.nio.channels.Channels.newOutputStream(channel);
          content.writeTo(out);
          out.flush();
        });
  }

  /**
   * As {@link #write(Path, Content)}, handing the content the file channel itself, so direct or
   * memory-mapped buffers are written without a copy through the heap.
   */
  public static void writeChannel(Path file, ChannelContent content) throws IOException {
    requireNonNull(file, "file is null");
    requireNonNull(content, "content is null");
    Path temporary = temporarySibling(file, "tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.writeTo(channel);
        channel.force(true);
      }
      moveReplacing(temporary, file);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** The same guarantee on a Hadoop filesystem (local, HDFS; on S3 a PUT is already atomic). */
  public static void write(FileSystem fs, org.apache.hadoop.fs.Path file, Content content)
      throws IOException {
    requireNonNull(fs, "fs is null");
    org.apache.hadoop.fs.Path temporary =
        new org.apache.hadoop.fs.Path(
            file.getParent(), "." + file.getName() + ".tmp-" + randomHex());
    try {
      try (FSDataOutputStream out = fs.create(temporary, false)) {
        content.writeTo(out);
        out.hsync();
      }
      if (fs.exists(file) && !fs.delete(file, false)) {
        throw new IOException("Cannot replace " + file);
      }
      if (!fs.rename(temporary, file)) {
        throw new IOException("Cannot rename " + temporary + " to " + file);
      }
    } finally {
      fs.delete(temporary, false);
    }
  }

  /** Renames {@code source} onto {@code target} atomically where the filesystem can. */
  public static void moveReplacing(Path source, Path target) throws IOException {
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A hidden, unique sibling name of {@code target}: {@code .NAME.KIND-HEX}. */
  public static Path temporarySibling(Path target, String kind) {
    Path absolute = target.toAbsolutePath();
    return absolute.resolveSibling("." + absolute.getFileName() + "." + kind + "-" + randomHex());
  }

  static String randomHex() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }
}
