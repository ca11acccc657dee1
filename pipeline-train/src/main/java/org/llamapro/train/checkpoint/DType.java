package org.llamapro.train.checkpoint;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types of safetensors files, named as in the header's {@code "dtype"} field. All are
 * little-endian; {@link #byteSize()} is the size of one element.
 */
public enum DType {
  F64(8),
  F32(4),
  F16(2),
  BF16(2),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U8(1),
  BOOL(1),
  // Less common types the format also defines; readable as raw bytes.
  U64(8),
  U32(4),
  U16(2),
  F8_E5M2(1),
  F8_E4M3(1);

  private final int byteSize;

  DType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** True for the types {@code readFloats} converts: F32, F16 and BF16. */
  public boolean isReadableAsFloat() {
    return this == F32 || this == F16 || this == BF16;
  }

  /**
   * The dtype with this safetensors name ({@code "F32"}, {@code "BF16"}, ...).
   *
   * @throws IllegalArgumentException for a name the format does not define
   */
  public static DType parse(String safetensorsName) {
    if (safetensorsName != null) {
      for (DType type : values()) {
        if (type.name().equals(safetensorsName)) {
          return type;
        }
      }
    }
    throw new IllegalArgumentException(
        "Unknown dtype '" + safetensorsName + "' (expected one of " + names() + ")");
  }

  static String names() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }
}
