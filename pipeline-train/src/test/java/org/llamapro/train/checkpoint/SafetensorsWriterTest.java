package org.llamapro.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llamapro.train.checkpoint.TestFiles.bytes;
import static org.llamapro.train.checkpoint.TestFiles.concat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
  @TempDir Path dir;

  /**
   * A file built byte by byte from the format: what Python's safetensors writes for these tensors
   * in this order (compact JSON, __metadata__ first, dtype/shape/data_offsets, spaces to a multiple
   * of 8).
   */
  static byte[] golden() {
    String json =
        "{\"__metadata__\":{\"format\":\"pt\",\"source\":\"hand\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,3],\"data_offsets\":[8,14]},"
            + "\"c\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[14,22]}}";
    assertEquals(212, json.length());
    byte[] header = (json + "    ").getBytes(StandardCharsets.US_ASCII); // 212 + 4 = 216 = 27 x 8
    return concat(
        bytes(216, 0, 0, 0, 0, 0, 0, 0), // N = 216, little-endian u64
        header,
        bytes(0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0), // a: 1.0f, -2.0f
        bytes(0x80, 0x3f, 0x00, 0x3f, 0x40, 0xc0), // b: BF16 1.0, 0.5, -3.0
        bytes(42, 0, 0, 0, 0, 0, 0, 0)); // c: int64 42
  }

  @Test
  void readsTheHandBuiltGoldenFile() throws IOException {
    Path path = TestFiles.write(dir.resolve("golden.safetensors"), golden());
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals(224, file.dataOffset());
      assertEquals(Map.of("format", "pt", "source", "hand"), file.metadata());
      assertEquals(List.of("a", "b", "c"), file.tensors().stream().map(TensorInfo::name).toList());
      assertArrayEquals(new float[] {1f, -2f}, file.readFloats("a"));
      assertArrayEquals(new float[] {1f, 0.5f, -3f}, file.readFloats("b"));
      assertArrayEquals(new long[] {1, 3}, file.info("b").shape());
      assertArrayEquals(new long[0], file.info("c").shape());
      assertEquals(42L, file.bytes("c").getLong(0));
    }
  }

  @Test
  void writerReproducesTheGoldenFileExactly() throws IOException {
    List<TensorSpec> specs =
        List.of(
            new TensorSpec("a", DType.F32, new long[] {2}),
            new TensorSpec("b", DType.BF16, new long[] {1, 3}),
            new TensorSpec("c", DType.I64, new long[0]));
    Map<String, ByteBuffer> data =
        Map.of(
            "a", FloatCodec.encode(DType.F32, new float[] {1f, -2f}),
            "b", FloatCodec.encode(DType.BF16, new float[] {1f, 0.5f, -3f}),
            "c", ByteBuffer.wrap(TestFiles.le64(42)));
    Path out = dir.resolve("written.safetensors");
    long written = SafetensorsWriter.write(out, specs, Map.of("source", "hand"), data::get);
    assertArrayEquals(golden(), Files.readAllBytes(out));
    assertEquals(golden().length, written);
  }

  @Test
  void copyingTheGoldenFileGivesIdenticalBytes() throws IOException {
    Path path = TestFiles.write(dir.resolve("golden.safetensors"), golden());
    Path copy = dir.resolve("copy.safetensors");
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      SafetensorsWriter.write(
          copy,
          file.tensors().stream().map(TensorInfo::spec).toList(),
          file.metadata(),
          file::bytes);
    }
    assertArrayEquals(golden(), Files.readAllBytes(copy));
  }

  @Test
  void roundTripIsByteStable() throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    List<TensorSpec> specs = new ArrayList<>();
    Map<String, ByteBuffer> data = new HashMap<>();
    DType[] types = {DType.F32, DType.F16, DType.BF16, DType.I64, DType.U8, DType.BOOL, DType.F64};
    for (int i = 0; i < 12; i++) {
      DType type = types[i % types.length];
      long[] shape = {1 + random.nextInt(5), 1 + random.nextInt(7)};
      TensorSpec spec = new TensorSpec("model.layers." + i + ".weight", type, shape);
      byte[] bytes = new byte[(int) spec.byteLength()];
      random.nextBytes(bytes);
      specs.add(spec);
      data.put(spec.name(), ByteBuffer.wrap(bytes));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("zeta", "last");
    metadata.put("alpha", "first");
    Path first = dir.resolve("first.safetensors");
    Path second = dir.resolve("second.safetensors");
    SafetensorsWriter.write(first, specs, metadata, data::get);
    try (SafetensorsFile file = SafetensorsFile.open(first)) {
      assertEquals(List.of("format", "alpha", "zeta"), List.copyOf(file.metadata().keySet()));
      for (TensorSpec spec : specs) {
        assertEquals(spec, file.info(spec.name()).spec());
        assertEquals(data.get(spec.name()), file.bytes(spec.name()));
      }
      SafetensorsWriter.write(
          second,
          file.tensors().stream().map(TensorInfo::spec).toList(),
          file.metadata(),
          file::bytes);
    }
    assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
  }

  @Test
  void headerIsPaddedWithSpacesToAMultipleOf8() throws IOException {
    for (int nameLength = 1; nameLength <= 9; nameLength++) {
      String name = "n".repeat(nameLength);
      Path path = dir.resolve(name + ".safetensors");
      SafetensorsWriter.write(
          path,
          List.of(new TensorSpec(name, DType.F32, new long[] {1})),
          Map.of(),
          n -> FloatCodec.encode(DType.F32, new float[] {3f}));
      byte[] content = Files.readAllBytes(path);
      long headerLength = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, headerLength % 8, "header of '" + name + "'");
      String header = new String(content, 8, (int) headerLength, StandardCharsets.UTF_8);
      assertTrue(header.stripTrailing().endsWith("}"), header);
      assertTrue(header.substring(header.stripTrailing().length()).isBlank());
      assertEquals(content.length, 8 + headerLength + 4);
    }
  }

  @Test
  void namesWithQuotesControlCharactersAndUnicodeRoundTrip() throws IOException {
    String name = "w\"eird\\name\n\t\u0001é\uD83D\uDE00";
    Path path = dir.resolve("names.safetensors");
    SafetensorsWriter.write(
        path,
        List.of(new TensorSpec(name, DType.U8, new long[] {1})),
        Map.of("note", "ünï"),
        n -> ByteBuffer.wrap(bytes(5)));
    String header = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
    assertTrue(header.contains("\"w\\\"eird\\\\name\\n\\t\\u0001é\uD83D\uDE00\""), header);
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals(name, file.tensors().get(0).name());
      assertEquals("ünï", file.metadata().get("note"));
    }
  }

  @Test
  void leavesTheSourceBufferPositionAlone() throws IOException {
    ByteBuffer buffer = FloatCodec.encode(DType.F32, new float[] {1f, 2f});
    SafetensorsWriter.write(
        dir.resolve("p.safetensors"),
        List.of(new TensorSpec("x", DType.F32, new long[] {2})),
        Map.of(),
        n -> buffer);
    assertEquals(0, buffer.position());
    assertEquals(8, buffer.remaining());
  }

  @Test
  void emptyFileHasOnlyMetadata() throws IOException {
    Path path = dir.resolve("empty.safetensors");
    SafetensorsWriter.write(path, List.of(), Map.of(), n -> null);
    byte[] expected =
        concat(
            bytes(32, 0, 0, 0, 0, 0, 0, 0), // 32 bytes of JSON: no padding needed
            "{\"__metadata__\":{\"format\":\"pt\"}}".getBytes(StandardCharsets.US_ASCII));
    assertArrayEquals(expected, Files.readAllBytes(path));
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertEquals(List.of(), file.tensors());
    }
  }

  @Test
  void wrongByteCountFromTheSourceFailsAndLeavesNoFile() throws IOException {
    Path path = dir.resolve("bad.safetensors");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SafetensorsWriter.write(
                    path,
                    List.of(new TensorSpec("x", DType.F32, new long[] {3})),
                    Map.of(),
                    n -> ByteBuffer.allocate(10)));
    assertEquals(
        "Cannot write " + path + ": tensor 'x' has 10 bytes but shape [3] x F32 needs 12",
        e.getMessage());
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "no file and no temporary file left behind");
    }
  }

  @Test
  void formatOtherThanPtIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SafetensorsWriter.write(
                    dir.resolve("f.safetensors"), List.of(), Map.of("format", "tf"), n -> null));
    assertEquals(
        "Invalid metadata format: 'tf' (this writer writes PyTorch layout: 'pt')", e.getMessage());
  }

  @Test
  void duplicateAndReservedNamesAreRefused() {
    TensorSpec x = new TensorSpec("x", DType.U8, new long[] {1});
    IllegalArgumentException duplicate =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SafetensorsWriter.write(
                    dir.resolve("d.safetensors"), List.of(x, x), Map.of(), n -> null));
    assertEquals("Duplicate tensor name: 'x'", duplicate.getMessage());
    IllegalArgumentException reserved =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SafetensorsWriter.write(
                    dir.resolve("r.safetensors"),
                    List.of(new TensorSpec("__metadata__", DType.U8, new long[] {1})),
                    Map.of(),
                    n -> null));
    assertEquals("Invalid tensor name: '__metadata__' is reserved", reserved.getMessage());
  }

  @Test
  void specsValidateTheirShape() {
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class, () -> new TensorSpec("x", DType.F32, new long[] {-1}));
    assertEquals("Invalid shape [-1] (negative size)", negative.getMessage());
    IllegalArgumentException overflow =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TensorSpec("x", DType.F32, new long[] {1L << 62}));
    assertEquals(
        "Tensor 'x': shape [4611686018427387904] x F32 overflows 64 bits", overflow.getMessage());
  }

  @Test
  void replacesAnExistingFileWithoutLeavingTemporaries() throws IOException {
    Path path = TestFiles.write(dir.resolve("model.safetensors"), "old");
    SafetensorsWriter.write(
        path,
        List.of(new TensorSpec("x", DType.U8, new long[] {2})),
        Map.of(),
        n -> ByteBuffer.wrap(bytes(1, 2)));
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertArrayEquals(bytes(1, 2), TestFiles.toArray(file.bytes("x")));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(path), files.toList());
    }
  }
}
