package org.llamapro.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llamapro.train.checkpoint.TestFiles.bytes;
import static org.llamapro.train.checkpoint.TestFiles.concat;
import static org.llamapro.train.checkpoint.TestFiles.f32;
import static org.llamapro.train.checkpoint.TestFiles.safetensors;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path dir;

  /** Header keys deliberately not in offset order; no __metadata__. */
  private Path mixedFile() throws IOException {
    String header =
        "{\"half\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[8,16]},"
            + "\"full\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"brain\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[16,22]},"
            + "\"ids\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[22,26]},"
            + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[26,26]}}";
    byte[] data =
        concat(
            f32(1.5f, -2f),
            // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, 2^-24 = 0x0001
            bytes(0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00),
            // BF16: 1.0 = 0x3f80, -0.5 = 0xbf00, +inf = 0x7f80
            bytes(0x80, 0x3f, 0x00, 0xbf, 0x80, 0x7f),
            bytes(7, 0, 0, 0));
    return TestFiles.write(dir.resolve("mixed.safetensors"), safetensors(header, data));
  }

  @Test
  void listsTensorsInOffsetOrderWhateverTheHeaderOrder() throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(mixedFile())) {
      List<String> names = file.tensors().stream().map(TensorInfo::name).toList();
      assertEquals(List.of("full", "half", "brain", "ids", "empty"), names);
      TensorInfo half = file.tensor("half").orElseThrow();
      assertEquals(DType.F16, half.dtype());
      assertArrayEquals(new long[] {2, 2}, half.shape());
      assertEquals(8, half.begin());
      assertEquals(16, half.end());
      assertEquals(4, half.numel());
      assertEquals(8, half.byteLength());
      assertEquals(1, file.info("ids").numel(), "a scalar has one element");
      assertEquals(0, file.info("empty").numel());
      assertTrue(file.tensor("nope").isEmpty());
      assertEquals(Map.of(), file.metadata());
      assertEquals(26, file.dataLength());
    }
  }

  @Test
  void readsFloatsOfAllThreeFloatTypes() throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(mixedFile())) {
      assertArrayEquals(new float[] {1.5f, -2f}, file.readFloats("full"));
      assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, file.readFloats("half"));
      assertArrayEquals(new float[] {1f, -0.5f, Float.POSITIVE_INFINITY}, file.readFloats("brain"));
      assertArrayEquals(new float[0], file.readFloats("empty"));
    }
  }

  @Test
  void readsFloatsIntoADirectBufferAtItsPosition() throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(mixedFile())) {
      FloatBuffer out =
          ByteBuffer.allocateDirect(4 * 8).order(ByteOrder.nativeOrder()).asFloatBuffer();
      out.position(1);
      file.readFloats("half", out);
      assertEquals(5, out.position());
      file.readFloats("full", out);
      assertEquals(7, out.position());
      float[] all = new float[8];
      out.flip().position(0);
      out.get(all, 0, 7);
      assertArrayEquals(new float[] {0, 1f, -2f, 65504f, 0x1p-24f, 1.5f, -2f, 0}, all);

      FloatBuffer small = FloatBuffer.allocate(3);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> file.readFloats("half", small));
      assertEquals(
          file.path() + ": tensor 'half' has 4 elements but the float buffer has only 3 remaining",
          e.getMessage());
    }
  }

  @Test
  void bytesIsAReadOnlyLittleEndianViewOfTheMapping() throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(mixedFile())) {
      ByteBuffer ids = file.bytes("ids");
      assertTrue(ids.isReadOnly());
      assertTrue(ids.isDirect(), "a view of the mapping, not a heap copy");
      assertEquals(ByteOrder.LITTLE_ENDIAN, ids.order());
      assertEquals(0, ids.position());
      assertEquals(4, ids.remaining());
      assertEquals(7, ids.getInt(0));
      assertEquals(0, file.bytes("empty").remaining());
    }
  }

  @Test
  void readFloatsRefusesOtherTypes() throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(mixedFile())) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> file.readFloats("ids"));
      assertEquals(
          file.path() + ": tensor 'ids' is I32; readFloats reads F32, F16 and BF16",
          e.getMessage());
    }
  }

  @Test
  void unknownTensorNamesTheFile() throws IOException {
    try (SafetensorsFile file = SafetensorsFile.open(mixedFile())) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> file.bytes("lm_head.weight"));
      assertEquals(
          file.path() + ": no tensor 'lm_head.weight' (the file has 5 tensors)", e.getMessage());
    }
  }

  @Test
  void closedFileRefusesReads() throws IOException {
    SafetensorsFile file = SafetensorsFile.open(mixedFile());
    ByteBuffer before = file.bytes("full");
    file.close();
    file.close(); // idempotent
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> file.readFloats("full"));
    assertEquals(file.path() + ": closed", e.getMessage());
    assertEquals(1.5f, before.getFloat(0), "views taken before close stay valid");
  }

  @Test
  void readsMetadataInHeaderOrder() throws IOException {
    String header =
        "{\"__metadata__\":{\"format\":\"pt\",\"step\":\"12\"},"
            + "\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    Path path = TestFiles.write(dir.resolve("m.safetensors"), safetensors(header, bytes(9)));
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals(List.of("format", "step"), List.copyOf(file.metadata().keySet()));
      assertEquals("12", file.metadata().get("step"));
    }
    String nullMetadata =
        "{\"__metadata__\":null,\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    Path other = TestFiles.write(dir.resolve("n.safetensors"), safetensors(nullMetadata, bytes(9)));
    try (SafetensorsFile file = SafetensorsFile.open(other)) {
      assertEquals(Map.of(), file.metadata());
    }
  }

  @Test
  void mapsTheDataInSeveralRegionsWhenLarge() throws IOException {
    // Regions of at most 12 bytes: [a b] [c] [d], and d alone exceeds the region size.
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
            + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]},"
            + "\"d\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,32]}}";
    byte[] data = f32(1, 2, 3, 4, 5, 6, 7, 8);
    Path path = TestFiles.write(dir.resolve("r.safetensors"), safetensors(header, data));
    try (SafetensorsFile file = SafetensorsFile.open(path, 12)) {
      assertArrayEquals(new float[] {1}, file.readFloats("a"));
      assertArrayEquals(new float[] {2, 3}, file.readFloats("b"));
      assertArrayEquals(new float[] {4}, file.readFloats("c"));
      assertArrayEquals(new float[] {5, 6, 7, 8}, file.readFloats("d"));
    }
  }

  @Test
  void tensorOf2GiBIsListedButNotMappedAndLaterTensorsStillRead() throws IOException {
    long big = 1L << 31; // one byte more than a Java buffer can hold
    String header =
        "{\"big\":{\"dtype\":\"U8\",\"shape\":["
            + big
            + "],\"data_offsets\":[0,"
            + big
            + "]},\"small\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":["
            + big
            + ","
            + (big + 8)
            + "]}}";
    byte[] head = safetensors(header, new byte[0]);
    Path path = dir.resolve("sparse.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
      raf.write(head);
      raf.setLength(head.length + big + 8); // sparse: the 2 GiB hole takes no disk space
      raf.seek(head.length + big);
      raf.write(f32(3.5f, -1f));
    }
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals(big, file.info("big").byteLength());
      InvalidCheckpointException e =
          assertThrows(InvalidCheckpointException.class, () -> file.bytes("big"));
      assertEquals(
          path
              + ": tensor 'big' is 2147483648 bytes; tensors of 2 GiB or more cannot be mapped as"
              + " one Java buffer",
          e.getMessage());
      assertArrayEquals(new float[] {3.5f, -1f}, file.readFloats("small"));
    } finally {
      Files.delete(path);
    }
  }

  @Test
  void readsOtherDtypesAsRawBytes() throws IOException {
    String header =
        "{\"flags\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]},"
            + "\"big\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[3,11]}}";
    byte[] data = concat(bytes(1, 0, 1), TestFiles.le64(-5));
    Path path = TestFiles.write(dir.resolve("raw.safetensors"), safetensors(header, data));
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertArrayEquals(bytes(1, 0, 1), TestFiles.toArray(file.bytes("flags")));
      assertEquals(-5L, file.bytes("big").getLong(0), "unaligned views work too");
      assertFalse(file.info("big").dtype().isReadableAsFloat());
    }
  }
}
