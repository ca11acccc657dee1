package org.llamapro.train.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors bytes by hand, straight from the format: length, header, data. */
final class TestFiles {
  private TestFiles() {}

  /** 8-byte little-endian length of {@code header} (UTF-8, used as is), the header, the data. */
  static byte[] safetensors(String header, byte[] data) {
    return safetensors(header.getBytes(StandardCharsets.UTF_8), data);
  }

  static byte[] safetensors(byte[] header, byte[] data) {
    return concat(le64(header.length), header, data);
  }

  static byte[] le64(long value) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
  }

  static byte[] f32(float... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      buffer.putFloat(value);
    }
    return buffer.array();
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static Path write(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.write(file, content);
  }

  static Path write(Path file, String content) throws IOException {
    return write(file, content.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] toArray(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
