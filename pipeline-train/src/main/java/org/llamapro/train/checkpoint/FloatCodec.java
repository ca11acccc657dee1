package org.llamapro.train.checkpoint;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Little-endian tensor bytes to floats and back, for F32, F16 and BF16. The loops work on chunks of
 * plain arrays so that the JIT sees simple counted loops; they run over multi-GB checkpoints.
 */
public final class FloatCodec {
  private static final int CHUNK = 16 * 1024; // elements per chunk; small enough for L1/L2

  private FloatCodec() {}

  /**
   * Decodes all of {@code src} (position to limit, little-endian {@code dtype} elements) into
   * {@code dst} starting at {@code dstPos}. Leaves the position of {@code src} unchanged.
   */
  public static void decode(DType dtype, ByteBuffer src, float[] dst, int dstPos) {
    ByteBuffer bytes = littleEndian(dtype, src);
    int count = elementCount(dtype, bytes);
    if (dstPos < 0 || dstPos > dst.length - count) {
      throw new IndexOutOfBoundsException(
          "Cannot decode " + count + " values into float[" + dst.length + "] at " + dstPos);
    }
    switch (dtype) {
      case F32 -> bytes.asFloatBuffer().get(dst, dstPos, count);
      case F16, BF16 -> {
        ShortBuffer shorts = bytes.asShortBuffer();
        short[] chunk = new short[Math.min(CHUNK, count)];
        for (int done = 0; done < count; ) {
          int n = Math.min(chunk.length, count - done);
          shorts.get(chunk, 0, n);
          if (dtype == DType.F16) {
            HalfFloats.f16ToFloat(chunk, 0, dst, dstPos + done, n);
          } else {
            HalfFloats.bf16ToFloat(chunk, 0, dst, dstPos + done, n);
          }
          done += n;
        }
      }
      default -> throw notFloat(dtype);
    }
  }

  /**
   * Decodes all of {@code src} into {@code dst} at its position, which advances by the element
   * count; {@code dst} may be a direct buffer (for DJL). Leaves the position of {@code src}
   * unchanged.
   */
  public static void decode(DType dtype, ByteBuffer src, FloatBuffer dst) {
    ByteBuffer bytes = littleEndian(dtype, src);
    int count = elementCount(dtype, bytes);
    if (dst.remaining() < count) {
      throw new IllegalArgumentException(
          "Float buffer has "
              + dst.remaining()
              + " values remaining but the tensor has "
              + count
              + " elements");
    }
    switch (dtype) {
      case F32 -> dst.put(bytes.asFloatBuffer()); // a bulk copy when the byte orders agree
      case F16, BF16 -> {
        ShortBuffer shorts = bytes.asShortBuffer();
        short[] chunk = new short[Math.min(CHUNK, count)];
        float[] floats = new float[chunk.length];
        for (int done = 0; done < count; ) {
          int n = Math.min(chunk.length, count - done);
          shorts.get(chunk, 0, n);
          if (dtype == DType.F16) {
            HalfFloats.f16ToFloat(chunk, 0, floats, 0, n);
          } else {
            HalfFloats.bf16ToFloat(chunk, 0, floats, 0, n);
          }
          dst.put(floats, 0, n);
          done += n;
        }
      }
      default -> throw notFloat(dtype);
    }
  }

  /** Encodes floats as little-endian {@code dtype} bytes (F16/BF16 round to nearest even). */
  public static ByteBuffer encode(DType dtype, float[] values) {
    requireNonNull(values, "values is null");
    ByteBuffer out =
        ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize()))
            .order(ByteOrder.LITTLE_ENDIAN);
    encode(dtype, values, 0, values.length, out);
    out.flip();
    return out;
  }

  /**
   * Encodes {@code length} floats from {@code src} into {@code dst} at its position (written
   * little-endian whatever the order of {@code dst}); the position advances.
   */
  public static void encode(DType dtype, float[] src, int srcPos, int length, ByteBuffer dst) {
    if (!dtype.isReadableAsFloat()) {
      throw notFloat(dtype);
    }
    if (srcPos < 0 || length < 0 || srcPos > src.length - length) {
      throw new IndexOutOfBoundsException(
          "Invalid range: " + length + " values at " + srcPos + " of float[" + src.length + "]");
    }
    ByteBuffer target = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (target.remaining() < (long) length * dtype.byteSize()) {
      throw new IllegalArgumentException(
          "Byte buffer has "
              + target.remaining()
              + " bytes remaining but "
              + length
              + " x "
              + dtype
              + " needs "
              + (long) length * dtype.byteSize());
    }
    if (dtype == DType.F32) {
      target.asFloatBuffer().put(src, srcPos, length);
    } else {
      ShortBuffer shorts = target.asShortBuffer();
      short[] chunk = new short[Math.min(CHUNK, length)];
      for (int done = 0; done < length; ) {
        int n = Math.min(chunk.length, length - done);
        if (dtype == DType.F16) {
          HalfFloats.floatToF16(src, srcPos + done, chunk, 0, n);
        } else {
          HalfFloats.floatToBf16(src, srcPos + done, chunk, 0, n);
        }
        shorts.put(chunk, 0, n);
        done += n;
      }
    }
    dst.position(dst.position() + length * dtype.byteSize());
  }

  private static ByteBuffer littleEndian(DType dtype, ByteBuffer src) {
    if (!dtype.isReadableAsFloat()) {
      throw notFloat(dtype);
    }
    return src.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static int elementCount(DType dtype, ByteBuffer bytes) {
    if (bytes.remaining() % dtype.byteSize() != 0) {
      throw new IllegalArgumentException(
          bytes.remaining() + " bytes is not a whole number of " + dtype + " values");
    }
    return bytes.remaining() / dtype.byteSize();
  }

  private static IllegalArgumentException notFloat(DType dtype) {
    return new IllegalArgumentException(
        "Cannot convert " + dtype + " to float (supported: F32, F16, BF16)");
  }
}
