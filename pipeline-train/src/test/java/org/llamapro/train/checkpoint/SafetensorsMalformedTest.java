package org.llamapro.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llamapro.train.checkpoint.TestFiles.bytes;
import static org.llamapro.train.checkpoint.TestFiles.concat;
import static org.llamapro.train.checkpoint.TestFiles.f32;
import static org.llamapro.train.checkpoint.TestFiles.le64;
import static org.llamapro.train.checkpoint.TestFiles.safetensors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file gets its own case; each error names the file and what is wrong. */
class SafetensorsMalformedTest {
  @TempDir Path dir;

  /** Writes {@code content} as model.safetensors, opens it, and returns the error message. */
  private String openError(byte[] content) throws IOException {
    Path file = TestFiles.write(dir.resolve("model.safetensors"), content);
    InvalidCheckpointException e =
        assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(file).close());
    String prefix = file + ": ";
    assertTrue(e.getMessage().startsWith(prefix), "names the file: " + e.getMessage());
    return e.getMessage().substring(prefix.length());
  }

  private String openError(String header, byte[] data) throws IOException {
    return openError(safetensors(header, data));
  }

  private static String tensor(String name, String dtype, String shape, long begin, long end) {
    return "\"%s\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%d,%d]}"
        .formatted(name, dtype, shape, begin, end);
  }

  @Test
  void missingFile() {
    Path file = dir.resolve("absent.safetensors");
    InvalidCheckpointException e =
        assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(file));
    assertEquals(file + ": no such file", e.getMessage());
  }

  @Test
  void directoryInsteadOfFile() {
    InvalidCheckpointException e =
        assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(dir));
    assertEquals(dir + ": is a directory, not a safetensors file", e.getMessage());
  }

  @Test
  void fileShorterThanTheLengthField() throws IOException {
    assertEquals(
        "file is 5 bytes, too short for the 8-byte header length", openError(bytes(1, 0, 0, 0, 0)));
  }

  @Test
  void headerLengthBelowTwo() throws IOException {
    assertEquals(
        "header length 1 is too small (at least 2 bytes: {})",
        openError(concat(le64(1), bytes('{'))));
    assertEquals("header length 0 is too small (at least 2 bytes: {})", openError(concat(le64(0))));
  }

  @Test
  void headerLengthBeyondTheFile() throws IOException {
    assertEquals(
        "header length 100 exceeds the 10 bytes that follow it in the file",
        openError(concat(le64(100), "{}        ".getBytes(StandardCharsets.US_ASCII))));
  }

  @Test
  void headerLengthOverTheLimit() throws IOException {
    assertEquals(
        "header length 100000001 exceeds the limit of 100000000 bytes",
        openError(concat(le64(100_000_001), bytes('{', '}'))));
  }

  @Test
  void headerLengthWithTheTopBitSetIsReadUnsigned() throws IOException {
    assertEquals(
        "header length 18446744073709551615 exceeds the limit of 100000000 bytes",
        openError(concat(le64(-1), bytes('{', '}'))));
  }

  @Test
  void headerNotUtf8() throws IOException {
    byte[] header =
        concat("{\"a".getBytes(StandardCharsets.US_ASCII), bytes(0xff), bytes('"', ':', '1', '}'));
    assertEquals(
        "header is not valid UTF-8 (bad byte at header offset 3)",
        openError(safetensors(header, new byte[0])));
  }

  @Test
  void headerNotAnObject() throws IOException {
    assertEquals(
        "header does not start with '{' (it must be a JSON object)",
        openError("[1,2]", new byte[0]));
    assertEquals(
        "header does not start with '{' (it must be a JSON object)", openError(" {}", new byte[0]));
  }

  @Test
  void headerNotJson() throws IOException {
    String message = openError("{\"a\":", new byte[0]);
    assertTrue(message.startsWith("header is not valid JSON: "), message);
  }

  @Test
  void trailingTokensAfterTheHeaderObject() throws IOException {
    String message = openError("{}{}", new byte[0]);
    assertTrue(message.startsWith("header is not valid JSON: Trailing token"), message);
  }

  @Test
  void duplicateTensorName() throws IOException {
    String header =
        "{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("a", "F32", "[1]", 4, 8) + "}";
    String message = openError(header, f32(1, 2));
    assertTrue(message.startsWith("header is not valid JSON: Duplicate field 'a'"), message);
  }

  @Test
  void metadataNotAnObject() throws IOException {
    assertEquals(
        "__metadata__ is not a JSON object of strings",
        openError("{\"__metadata__\":\"pt\"}", new byte[0]));
  }

  @Test
  void metadataValueNotAString() throws IOException {
    assertEquals(
        "__metadata__ value of 'step' is not a string: 12",
        openError("{\"__metadata__\":{\"step\":12}}", new byte[0]));
  }

  @Test
  void entryNotAnObject() throws IOException {
    assertEquals("tensor 'x' is not a JSON object: [1,2]", openError("{\"x\":[1,2]}", new byte[0]));
  }

  @Test
  void missingDtype() throws IOException {
    assertEquals(
        "tensor 'x' has no dtype",
        openError("{\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1)));
  }

  @Test
  void dtypeNotAString() throws IOException {
    assertEquals(
        "tensor 'x' has a dtype that is not a string: 4",
        openError("{\"x\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1)));
  }

  @Test
  void unknownDtype() throws IOException {
    assertEquals(
        "tensor 'x' has unknown dtype 'Q4' (expected one of "
            + "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, U64, U32, U16, F8_E5M2, F8_E4M3)",
        openError("{" + tensor("x", "Q4", "[1]", 0, 4) + "}", f32(1)));
  }

  @Test
  void missingShape() throws IOException {
    assertEquals(
        "tensor 'x' has no shape",
        openError("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", f32(1)));
  }

  @Test
  void shapeNotAnArray() throws IOException {
    assertEquals(
        "tensor 'x' has invalid shape \"1\" (expected an array of non-negative integers)",
        openError("{" + tensor("x", "F32", "\"1\"", 0, 4) + "}", f32(1)));
  }

  @Test
  void negativeDimension() throws IOException {
    assertEquals(
        "tensor 'x' has invalid shape [2,-1]: element 1 is -1 (expected an array of non-negative"
            + " integers)",
        openError("{" + tensor("x", "F32", "[2,-1]", 0, 4) + "}", f32(1)));
  }

  @Test
  void fractionalDimension() throws IOException {
    assertEquals(
        "tensor 'x' has invalid shape [1.5]: element 0 is 1.5 (expected an array of non-negative"
            + " integers)",
        openError("{" + tensor("x", "F32", "[1.5]", 0, 4) + "}", f32(1)));
  }

  @Test
  void dimensionBeyondALong() throws IOException {
    assertEquals(
        "tensor 'x' has invalid shape [99999999999999999999]: element 0 is 99999999999999999999"
            + " (expected an array of non-negative integers)",
        openError("{" + tensor("x", "F32", "[99999999999999999999]", 0, 4) + "}", f32(1)));
  }

  @Test
  void elementCountOverflow() throws IOException {
    assertEquals(
        "tensor 'x' has shape [4294967296, 4294967296] whose element count overflows 64 bits",
        openError("{" + tensor("x", "U8", "[4294967296,4294967296]", 0, 4) + "}", f32(1)));
  }

  @Test
  void byteSizeOverflow() throws IOException {
    assertEquals(
        "tensor 'x' has shape [4611686018427387904] x F32 whose byte size overflows 64 bits",
        openError("{" + tensor("x", "F32", "[4611686018427387904]", 0, 4) + "}", f32(1)));
  }

  @Test
  void missingDataOffsets() throws IOException {
    assertEquals(
        "tensor 'x' has no data_offsets",
        openError("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", f32(1)));
  }

  @Test
  void dataOffsetsNotAPair() throws IOException {
    assertEquals(
        "tensor 'x' has invalid data_offsets [0] (expected [begin, end], two non-negative"
            + " integers)",
        openError("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", f32(1)));
  }

  @Test
  void negativeDataOffset() throws IOException {
    assertEquals(
        "tensor 'x' has invalid data_offsets [-4,0]: element 0 is -4 (expected [begin, end], two"
            + " non-negative integers)",
        openError("{" + tensor("x", "F32", "[1]", -4, 0) + "}", f32(1)));
  }

  @Test
  void beginAfterEnd() throws IOException {
    assertEquals(
        "tensor 'x' has data_offsets [8, 4] whose begin is after its end",
        openError("{" + tensor("x", "F32", "[1]", 8, 4) + "}", f32(1, 2)));
  }

  @Test
  void dataOffsetsBeyondTheDataSection() throws IOException {
    assertEquals(
        "tensor 'x' has data_offsets [0, 400] beyond the end of the data section (12 bytes)",
        openError("{" + tensor("x", "F32", "[100]", 0, 400) + "}", f32(1, 2, 3)));
  }

  @Test
  void byteLengthDoesNotMatchShapeAndDtype() throws IOException {
    assertEquals(
        "tensor 'x' has data_offsets [0, 10] but shape [3] x F32 needs 12 bytes",
        openError("{" + tensor("x", "F32", "[3]", 0, 10) + "}", new byte[10]));
  }

  @Test
  void overlappingTensors() throws IOException {
    String header =
        "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}";
    assertEquals("tensors 'a' [0, 8] and 'b' [4, 12] overlap", openError(header, f32(1, 2, 3)));
  }

  @Test
  void gapBetweenTensors() throws IOException {
    String header =
        "{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("b", "F32", "[1]", 8, 12) + "}";
    assertEquals(
        "data section has 4 unused bytes at offset 4 after tensor 'a' before tensor 'b' (tensors"
            + " must be contiguous)",
        openError(header, f32(1, 2, 3)));
  }

  @Test
  void gapBeforeTheFirstTensor() throws IOException {
    assertEquals(
        "data section has 4 unused bytes at offset 0 before tensor 'a' (tensors must be"
            + " contiguous)",
        openError("{" + tensor("a", "F32", "[1]", 4, 8) + "}", f32(1, 2)));
  }

  @Test
  void bytesAfterTheLastTensor() throws IOException {
    assertEquals(
        "data section has 4 unused bytes at offset 4 after the last tensor 'a' (the data section"
            + " is 8 bytes; tensors must cover it exactly)",
        openError("{" + tensor("a", "F32", "[1]", 0, 4) + "}", f32(1, 2)));
  }

  @Test
  void dataButNoTensors() throws IOException {
    assertEquals(
        "data section has 3 unused bytes at offset 0 (the header lists no tensors) (the data"
            + " section is 3 bytes; tensors must cover it exactly)",
        openError("{}", new byte[3]));
  }
}
