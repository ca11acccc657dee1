package org.llamapro.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DTypeTest {
  @Test
  void parsesTheSafetensorsNamesWithTheirSizes() {
    assertEquals(DType.BF16, DType.parse("BF16"));
    assertEquals(2, DType.parse("BF16").byteSize());
    assertEquals(4, DType.parse("F32").byteSize());
    assertEquals(8, DType.parse("F64").byteSize());
    assertEquals(8, DType.parse("I64").byteSize());
    assertEquals(1, DType.parse("BOOL").byteSize());
    assertEquals(1, DType.parse("F8_E4M3").byteSize());
  }

  @Test
  void unknownNamesAreAClearError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DType.parse("float32"));
    assertEquals(
        "Unknown dtype 'float32' (expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL,"
            + " U64, U32, U16, F8_E5M2, F8_E4M3)",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DType.parse("bf16"), "case-sensitive");
  }
}
