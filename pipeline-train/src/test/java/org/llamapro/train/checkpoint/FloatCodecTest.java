package org.llamapro.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatCodecTest {
  /** More values than one conversion chunk, so the chunk loop runs several times. */
  private static float[] randomFloats(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) (random.nextGaussian() * 3);
    }
    return values;
  }

  @Test
  void encodeThenDecodeMatchesTheScalarConversionsForEveryFloatType() {
    float[] values = randomFloats(50_000, 1);
    for (DType type : new DType[] {DType.F32, DType.F16, DType.BF16}) {
      ByteBuffer bytes = FloatCodec.encode(type, values);
      assertEquals(values.length * type.byteSize(), bytes.remaining());
      float[] decoded = new float[values.length];
      FloatCodec.decode(type, bytes, decoded, 0);
      FloatBuffer direct =
          ByteBuffer.allocateDirect(values.length * 4)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      FloatCodec.decode(type, bytes, direct);
      assertEquals(values.length, direct.position());
      for (int i = 0; i < values.length; i++) {
        float expected =
            switch (type) {
              case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(values[i]));
              case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(values[i]));
              default -> values[i];
            };
        assertEquals(expected, decoded[i], type + " at " + i);
        assertEquals(expected, direct.get(i), type + " at " + i);
      }
      assertEquals(0, bytes.position(), "decode leaves the source position alone");
    }
  }

  @Test
  void encodeWritesLittleEndianWhateverTheBufferOrder() {
    ByteBuffer big = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN);
    FloatCodec.encode(DType.F16, new float[] {1f, -2f}, 0, 2, big);
    assertEquals(4, big.position());
    assertArrayEquals(new byte[] {0x00, 0x3c, 0x00, (byte) 0xc0}, big.array());
  }

  @Test
  void refusesTypesThatAreNotFloats() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FloatCodec.decode(DType.I32, ByteBuffer.allocate(4), new float[1], 0));
    assertEquals("Cannot convert I32 to float (supported: F32, F16, BF16)", e.getMessage());
  }

  @Test
  void refusesDestinationsThatAreTooSmall() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FloatCodec.encode(DType.F32, new float[3], 0, 3, ByteBuffer.allocate(8)));
    assertEquals("Byte buffer has 8 bytes remaining but 3 x F32 needs 12", e.getMessage());
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> FloatCodec.decode(DType.F32, ByteBuffer.allocate(8), new float[1], 0));
  }
}
