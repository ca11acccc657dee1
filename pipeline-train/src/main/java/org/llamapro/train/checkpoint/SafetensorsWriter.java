package org.llamapro.train.checkpoint;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.llamapro.io.AtomicFiles;

/**
 * Writes one safetensors file, streaming: the header first (every spec is known up front), then
 * each tensor's bytes in the order given, contiguous. The header is compact JSON with {@code
 * __metadata__} first ({@code "format": "pt"}, which {@code transformers} requires, then any extra
 * keys in sorted order) and is padded with spaces to a multiple of 8 bytes, as the reference
 * implementation does. The same inputs always give the same bytes, so reading a file this wrote and
 * writing it again reproduces it exactly.
 *
 * <p>The file appears atomically: it is written under a temporary name in the same directory,
 * flushed to disk, then renamed.
 */
public final class SafetensorsWriter {
  static final String FORMAT_KEY = "format";
  static final String FORMAT_PYTORCH = "pt";

  private static final int WRITE_CHUNK = 8 << 20; // bounds the JDK's temporary direct buffers

  private SafetensorsWriter() {}

  /**
   * Writes {@code specs} (in this order) to {@code file}, replacing it if it exists.
   *
   * @param metadata extra {@code __metadata__} entries (may be empty); a {@code format} entry other
   *     than {@code pt} is an error
   * @param source supplies each tensor's bytes by name, once, in order
   * @return the number of bytes written
   */
  public static long write(
      Path file, List<TensorSpec> specs, Map<String, String> metadata, TensorBytesSource source) {
    return write(file, specs, metadata, source, null);
  }

  /**
   * As {@link #write(Path, List, Map, TensorBytesSource)}, and also feeds every byte of the file,
   * in order, to {@code digest} (when not null). The digest runs on a second thread, overlapping
   * the write of the same tensor; each tensor's hashing ends before the next tensor is asked for,
   * so a source may reuse its buffer.
   */
  public static long write(
      Path file,
      List<TensorSpec> specs,
      Map<String, String> metadata,
      TensorBytesSource source,
      MessageDigest digest) {
    requireNonNull(file, "file is null");
    requireNonNull(specs, "specs is null");
    requireNonNull(metadata, "metadata is null");
    requireNonNull(source, "source is null");
    checkNames(specs);
    byte[] header = SafetensorsHeader.serialize(specs, canonicalMetadata(metadata));
    if (header.length > SafetensorsHeader.MAX_HEADER_BYTES) {
      throw new IllegalArgumentException(
          "Cannot write "
              + file
              + ": the header would be "
              + header.length
              + " bytes, over the limit of "
              + SafetensorsHeader.MAX_HEADER_BYTES);
    }
    long[] written = {0};
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      AtomicFiles.writeChannel(
          file,
          channel -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            length.putLong(header.length).flip();
            try (OverlappedDigest hasher = new OverlappedDigest(digest)) {
              hasher.writeAndHash(channel, length);
              hasher.writeAndHash(channel, ByteBuffer.wrap(header));
              for (TensorSpec spec : specs) {
                hasher.writeAndHash(channel, tensorBytes(file, spec, source));
              }
            }
            written[0] = channel.position();
          });
      return written[0];
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code "format": "pt"} first, then the other entries sorted by key. */
  static Map<String, String> canonicalMetadata(Map<String, String> extra) {
    Map<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> entry : extra.entrySet()) {
      requireNonNull(entry.getKey(), "metadata key is null");
      if (entry.getValue() == null) {
        throw new IllegalArgumentException("Metadata value of '" + entry.getKey() + "' is null");
      }
      checkText("metadata key", entry.getKey());
      checkText("metadata value of '" + entry.getKey() + "'", entry.getValue());
      sorted.put(entry.getKey(), entry.getValue());
    }
    String format = sorted.remove(FORMAT_KEY);
    if (format != null && !format.equals(FORMAT_PYTORCH)) {
      throw new IllegalArgumentException(
          "Invalid metadata format: '" + format + "' (this writer writes PyTorch layout: 'pt')");
    }
    Map<String, String> canonical = new LinkedHashMap<>();
    canonical.put(FORMAT_KEY, FORMAT_PYTORCH);
    canonical.putAll(sorted);
    return canonical;
  }

  static void checkNames(List<TensorSpec> specs) {
    Set<String> seen = new HashSet<>();
    for (TensorSpec spec : specs) {
      requireNonNull(spec, "tensor spec is null");
      if (spec.name().equals(SafetensorsHeader.METADATA_KEY)) {
        throw new IllegalArgumentException(
            "Invalid tensor name: '" + SafetensorsHeader.METADATA_KEY + "' is reserved");
      }
      checkText("tensor name", spec.name());
      if (!seen.add(spec.name())) {
        throw new IllegalArgumentException("Duplicate tensor name: '" + spec.name() + "'");
      }
    }
  }

  /** Rejects strings that UTF-8 cannot encode (unpaired surrogates would silently become '?'). */
  private static void checkText(String what, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "Invalid " + what + ": '" + text + "' has an unpaired surrogate at index " + i);
      }
    }
  }

  private static ByteBuffer tensorBytes(Path file, TensorSpec spec, TensorBytesSource source)
      throws IOException {
    ByteBuffer bytes = source.bytes(spec.name());
    if (bytes == null) {
      throw new IllegalArgumentException(
          "Cannot write " + file + ": no bytes for tensor '" + spec.name() + "'");
    }
    if (bytes.remaining() != spec.byteLength()) {
      throw new IllegalArgumentException(
          "Cannot write "
              + file
              + ": tensor '"
              + spec.name()
              + "' has "
              + bytes.remaining()
              + " bytes but shape "
              + Shapes.format(spec.shape())
              + " x "
              + spec.dtype()
              + " needs "
              + spec.byteLength());
    }
    return bytes.duplicate(); // leave the caller's position alone
  }

  /** Hashes each buffer on a helper thread while the calling thread writes it. */
  private static final class OverlappedDigest implements AutoCloseable {
    private final MessageDigest digest;
    private final ExecutorService executor;

    OverlappedDigest(MessageDigest digest) {
      this.digest = digest;
      this.executor =
          digest == null
              ? null
              : Executors.newSingleThreadExecutor(
                  runnable -> {
                    Thread thread = new Thread(runnable, "safetensors-digest");
                    thread.setDaemon(true);
                    return thread;
                  });
    }

    void writeAndHash(FileChannel channel, ByteBuffer buffer) throws IOException {
      if (digest == null) {
        writeFully(channel, buffer);
        return;
      }
      ByteBuffer forDigest = buffer.duplicate();
      Future<?> hashed = executor.submit(() -> digest.update(forDigest));
      writeFully(channel, buffer);
      try {
        hashed.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while hashing", e);
      } catch (ExecutionException e) {
        throw new IOException("Hashing failed: " + e.getCause(), e.getCause());
      }
    }

    @Override
    public void close() {
      if (executor != null) {
        executor.shutdownNow();
      }
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      int chunk = Math.min(buffer.remaining(), WRITE_CHUNK);
      ByteBuffer slice = buffer.slice(buffer.position(), chunk);
      while (slice.hasRemaining()) {
        channel.write(slice);
      }
      buffer.position(buffer.position() + chunk);
    }
  }
}
