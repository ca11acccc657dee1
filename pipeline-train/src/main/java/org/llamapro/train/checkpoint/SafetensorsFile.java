package org.llamapro.train.checkpoint;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A safetensors file, opened read-only: the header is parsed and validated up front, the tensor
 * data is memory-mapped and never copied onto the heap unless asked ({@link #readFloats}).
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON header, then the data
 * section. See {@link SafetensorsHeader} for the checks. Java buffers hold at most 2 GiB, so the
 * data section is mapped in regions of up to 1 GiB, each holding whole tensors; a single tensor of
 * 2 GiB or more is listed but {@link #bytes} refuses it.
 *
 * <p>Thread-safe. Buffers returned by {@link #bytes} stay valid after {@link #close()} (the mapping
 * is released when they are garbage collected); the file itself refuses further calls.
 */
public final class SafetensorsFile implements AutoCloseable {
  static final long DEFAULT_REGION_BYTES = 1L << 30;

  private final Path file;
  private final FileChannel channel;
  private final long dataStart;
  private final long dataLength;
  private final List<TensorInfo> tensors;
  private final Map<String, Integer> indexByName;
  private final Map<String, String> metadata;

  // Mapped regions: region r covers [regionBegin[r], regionEnd[r]) of the data section.
  private final long[] regionBegin;
  private final long[] regionEnd;
  private final int[] regionOfTensor; // -1: too large to map as one buffer
  private final MappedByteBuffer[] mappings; // created on first use
  private volatile boolean closed;

  private SafetensorsFile(
      Path file,
      FileChannel channel,
      long headerLength,
      SafetensorsHeader header,
      long regionBytes) {
    this.file = file;
    this.channel = channel;
    this.dataStart = 8 + headerLength;
    this.tensors = header.tensors;
    this.metadata = header.metadata;
    long dataLength = 0;
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < tensors.size(); i++) {
      index.put(tensors.get(i).name(), i);
      dataLength = tensors.get(i).end();
    }
    this.dataLength = dataLength;
    this.indexByName = index;

    // Group consecutive tensors into regions of at most regionBytes; a tensor larger than that
    // gets a region of its own, and one beyond Integer.MAX_VALUE bytes none at all.
    List<long[]> regions = new ArrayList<>();
    this.regionOfTensor = new int[tensors.size()];
    long[] open = null;
    for (int i = 0; i < tensors.size(); i++) {
      TensorInfo tensor = tensors.get(i);
      if (tensor.byteLength() > Integer.MAX_VALUE) {
        regionOfTensor[i] = -1;
        open = null;
        continue;
      }
      if (open == null || tensor.end() - open[0] > regionBytes) {
        open = new long[] {tensor.begin(), tensor.end()};
        regions.add(open);
      } else {
        open[1] = tensor.end();
      }
      regionOfTensor[i] = regions.size() - 1;
    }
    this.regionBegin = regions.stream().mapToLong(r -> r[0]).toArray();
    this.regionEnd = regions.stream().mapToLong(r -> r[1]).toArray();
    this.mappings = new MappedByteBuffer[regions.size()];
  }

  /**
   * Opens and validates a safetensors file.
   *
   * @throws InvalidCheckpointException if the file is malformed (the message names the file)
   * @throws UncheckedIOException if it cannot be read
   */
  public static SafetensorsFile open(Path file) {
    return open(file, DEFAULT_REGION_BYTES);
  }

  static SafetensorsFile open(Path file, long regionBytes) {
    requireNonNull(file, "file is null");
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new InvalidCheckpointException(file + ": no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open " + file + ": " + e.getMessage(), e);
    }
    try {
      if (Files.isDirectory(file)) {
        throw new InvalidCheckpointException(file + ": is a directory, not a safetensors file");
      }
      long size = channel.size();
      if (size < 8) {
        throw new InvalidCheckpointException(
            file + ": file is " + size + " bytes, too short for the 8-byte header length");
      }
      long headerLength = readLong(channel, file);
      if (Long.compareUnsigned(headerLength, SafetensorsHeader.MAX_HEADER_BYTES) > 0) {
        throw new InvalidCheckpointException(
            file
                + ": header length "
                + Long.toUnsignedString(headerLength)
                + " exceeds the limit of "
                + SafetensorsHeader.MAX_HEADER_BYTES
                + " bytes");
      }
      if (headerLength < 2) {
        throw new InvalidCheckpointException(
            file + ": header length " + headerLength + " is too small (at least 2 bytes: {})");
      }
      if (headerLength > size - 8) {
        throw new InvalidCheckpointException(
            file
                + ": header length "
                + headerLength
                + " exceeds the "
                + (size - 8)
                + " bytes that follow it in the file");
      }
      byte[] json = new byte[(int) headerLength];
      readFully(channel, ByteBuffer.wrap(json), 8, file);
      SafetensorsHeader header =
          SafetensorsHeader.parse(file.toString(), json, size - 8 - headerLength);
      return new SafetensorsFile(file, channel, headerLength, header, regionBytes);
    } catch (IOException e) {
      closeQuietly(channel, e);
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      closeQuietly(channel, e);
      throw e;
    }
  }

  /** The file this was opened from. */
  public Path path() {
    return file;
  }

  /** Tensors in file order (by offset). */
  public List<TensorInfo> tensors() {
    return tensors;
  }

  public Optional<TensorInfo> tensor(String name) {
    Integer index = indexByName.get(name);
    return index == null ? Optional.empty() : Optional.of(tensors.get(index));
  }

  /** The tensor with this name; an error naming the file if it has none. */
  public TensorInfo info(String name) {
    return tensors.get(indexOf(name));
  }

  /** The header's {@code __metadata__} (empty if absent), in header order. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Position of the data section in the file (8 + header length). */
  public long dataOffset() {
    return dataStart;
  }

  /** Bytes in the data section: the sum of all tensors' byte lengths. */
  public long dataLength() {
    return dataLength;
  }

  /**
   * A read-only little-endian view of the tensor's raw bytes (position 0, limit = byte length),
   * backed by the mapping: no copy.
   */
  public ByteBuffer bytes(String name) {
    int index = indexOf(name);
    TensorInfo tensor = tensors.get(index);
    if (tensor.byteLength() == 0) {
      return ByteBuffer.allocate(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
    int region = regionOfTensor[index];
    if (region < 0) {
      throw new InvalidCheckpointException(
          file
              + ": tensor '"
              + name
              + "' is "
              + tensor.byteLength()
              + " bytes; tensors of 2 GiB or more cannot be mapped as one Java buffer");
    }
    MappedByteBuffer mapping = mapping(region);
    int offset = (int) (tensor.begin() - regionBegin[region]);
    return mapping.slice(offset, (int) tensor.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The tensor's values as floats; F32, F16 and BF16 only (the halves are converted exactly). */
  public float[] readFloats(String name) {
    TensorInfo tensor = floatTensor(name);
    if (tensor.numel() > Integer.MAX_VALUE - 8) {
      throw new InvalidCheckpointException(
          file
              + ": tensor '"
              + name
              + "' has "
              + tensor.numel()
              + " elements, too many for one float[]");
    }
    float[] values = new float[(int) tensor.numel()];
    FloatCodec.decode(tensor.dtype(), bytes(name), values, 0);
    return values;
  }

  /**
   * Writes the tensor's values as floats into {@code out} at its position, which advances by the
   * element count; {@code out} may be direct (for DJL).
   */
  public void readFloats(String name, FloatBuffer out) {
    requireNonNull(out, "out is null");
    TensorInfo tensor = floatTensor(name);
    if (out.remaining() < tensor.numel()) {
      throw new IllegalArgumentException(
          file
              + ": tensor '"
              + name
              + "' has "
              + tensor.numel()
              + " elements but the float buffer has only "
              + out.remaining()
              + " remaining");
    }
    FloatCodec.decode(tensor.dtype(), bytes(name), out);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + file + ", " + tensors.size() + " tensors]";
  }

  private TensorInfo floatTensor(String name) {
    TensorInfo tensor = info(name);
    if (!tensor.dtype().isReadableAsFloat()) {
      throw new IllegalArgumentException(
          file
              + ": tensor '"
              + name
              + "' is "
              + tensor.dtype()
              + "; readFloats reads F32, F16 and BF16");
    }
    return tensor;
  }

  private int indexOf(String name) {
    requireNonNull(name, "name is null");
    if (closed) {
      throw new IllegalStateException(file + ": closed");
    }
    Integer index = indexByName.get(name);
    if (index == null) {
      throw new IllegalArgumentException(
          file + ": no tensor '" + name + "' (the file has " + tensors.size() + " tensors)");
    }
    return index;
  }

  private synchronized MappedByteBuffer mapping(int region) {
    if (mappings[region] == null) {
      long begin = regionBegin[region];
      long length = regionEnd[region] - begin;
      try {
        mappings[region] = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, length);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot map " + length + " bytes of " + file + ": " + e.getMessage(), e);
      }
    }
    return mappings[region];
  }

  private static long readLong(FileChannel channel, Path file) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, buffer, 0, file);
    return buffer.flip().getLong();
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + at);
      }
      at += n;
    }
  }

  private static void closeQuietly(FileChannel channel, Throwable failure) {
    try {
      channel.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }
}
