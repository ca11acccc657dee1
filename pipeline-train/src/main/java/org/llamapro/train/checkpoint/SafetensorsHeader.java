package org.llamapro.train.checkpoint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file: parsing with every check the format implies (the input is
 * untrusted), and the canonical serialization the writer uses.
 *
 * <p>The header is {@code {"__metadata__": {string: string}, NAME: {"dtype": D, "shape": [..],
 * "data_offsets": [begin, end]}, ...}}. Offsets are relative to the data section. Like the
 * reference implementation, tensors must tile the data section exactly: sorted by offset they start
 * at 0, each begins where the previous ends, and the last ends at the end of the file.
 */
final class SafetensorsHeader {
  /** The reference implementation's limit on the header length. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";

  /** Strict JSON: duplicate keys and anything after the top-level object are errors. */
  static final ObjectMapper STRICT_JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  final List<TensorInfo> tensors; // sorted by offset
  final Map<String, String> metadata; // in header order

  private SafetensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Parses and validates a header.
   *
   * @param source names the file in error messages
   * @param json the header bytes (UTF-8, possibly padded with trailing spaces)
   * @param dataLength bytes in the data section, which the tensors must cover exactly
   */
  static SafetensorsHeader parse(String source, byte[] json, long dataLength) {
    String text = decodeUtf8(source, json);
    if (text.isEmpty() || text.charAt(0) != '{') {
      throw invalid(source, "header does not start with '{' (it must be a JSON object)");
    }
    JsonNode root;
    try {
      root = STRICT_JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidCheckpointException(
          source + ": header is not valid JSON: " + jsonProblem(e), e);
    }
    if (root == null || !root.isObject()) {
      throw invalid(source, "header is not a JSON object");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorInfo> tensors = new ArrayList<>(root.size());
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().equals(METADATA_KEY)) {
        parseMetadata(source, field.getValue(), metadata);
      } else {
        tensors.add(parseTensor(source, field.getKey(), field.getValue(), dataLength));
      }
    }
    tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    checkContiguous(source, tensors, dataLength);
    return new SafetensorsHeader(
        Collections.unmodifiableList(tensors), Collections.unmodifiableMap(metadata));
  }

  private static String decodeUtf8(String source, byte[] json) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(json);
    CharBuffer out = CharBuffer.allocate(json.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw invalid(
          source, "header is not valid UTF-8 (bad byte at header offset " + in.position() + ")");
    }
    result = decoder.flush(out);
    if (result.isError()) {
      throw invalid(source, "header is not valid UTF-8 (truncated character at the end)");
    }
    return out.flip().toString();
  }

  private static String jsonProblem(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    String where =
        location == null
            ? ""
            : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    return e.getOriginalMessage() + where;
  }

  private static void parseMetadata(String source, JsonNode node, Map<String, String> metadata) {
    if (node.isNull()) {
      return; // the reference implementation reads null as "no metadata"
    }
    if (!node.isObject()) {
      throw invalid(source, METADATA_KEY + " is not a JSON object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (!entry.getValue().isTextual()) {
        throw invalid(
            source,
            METADATA_KEY
                + " value of '"
                + entry.getKey()
                + "' is not a string: "
                + entry.getValue());
      }
      metadata.put(entry.getKey(), entry.getValue().textValue());
    }
  }

  private static TensorInfo parseTensor(
      String source, String name, JsonNode node, long dataLength) {
    String tensor = source + ": tensor '" + name + "'";
    if (!node.isObject()) {
      throw new InvalidCheckpointException(tensor + " is not a JSON object: " + abbreviate(node));
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new InvalidCheckpointException(
          tensor
              + (dtypeNode == null
                  ? " has no dtype"
                  : " has a dtype that is not a string: " + abbreviate(dtypeNode)));
    }
    DType dtype;
    try {
      dtype = DType.parse(dtypeNode.textValue());
    } catch (IllegalArgumentException e) {
      throw new InvalidCheckpointException(
          tensor
              + " has unknown dtype '"
              + dtypeNode.textValue()
              + "' (expected one of "
              + DType.names()
              + ")");
    }
    long[] shape = longArray(tensor, "shape", node.get("shape"), -1);
    long[] offsets = longArray(tensor, "data_offsets", node.get("data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    String offsetText = "[" + begin + ", " + end + "]";
    if (begin > end) {
      throw new InvalidCheckpointException(
          tensor + " has data_offsets " + offsetText + " whose begin is after its end");
    }
    if (end > dataLength) {
      throw new InvalidCheckpointException(
          tensor
              + " has data_offsets "
              + offsetText
              + " beyond the end of the data section ("
              + dataLength
              + " bytes)");
    }
    if (Shapes.numelOrMinusOne(shape) < 0) {
      throw new InvalidCheckpointException(
          tensor + " has shape " + Shapes.format(shape) + " whose element count overflows 64 bits");
    }
    long needed = Shapes.byteLengthOrMinusOne(shape, dtype);
    if (needed < 0) {
      throw new InvalidCheckpointException(
          tensor
              + " has shape "
              + Shapes.format(shape)
              + " x "
              + dtype
              + " whose byte size overflows 64 bits");
    }
    if (end - begin != needed) {
      throw new InvalidCheckpointException(
          tensor
              + " has data_offsets "
              + offsetText
              + " but shape "
              + Shapes.format(shape)
              + " x "
              + dtype
              + " needs "
              + needed
              + " bytes");
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  /** A JSON array of non-negative integers that fit a long; {@code length} -1 for any. */
  private static long[] longArray(String tensor, String field, JsonNode node, int length) {
    String expected =
        length < 0
            ? "an array of non-negative integers"
            : "[begin, end], two non-negative integers";
    if (node == null) {
      throw new InvalidCheckpointException(tensor + " has no " + field);
    }
    if (!node.isArray() || (length >= 0 && node.size() != length)) {
      throw new InvalidCheckpointException(
          tensor
              + " has invalid "
              + field
              + " "
              + abbreviate(node)
              + " (expected "
              + expected
              + ")");
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode element = node.get(i);
      // Integral and within a long (huge numbers parse as BigInteger and fail here), >= 0.
      if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
        throw new InvalidCheckpointException(
            tensor
                + " has invalid "
                + field
                + " "
                + abbreviate(node)
                + ": element "
                + i
                + " is "
                + abbreviate(element)
                + " (expected "
                + expected
                + ")");
      }
      values[i] = element.longValue();
    }
    return values;
  }

  private static void checkContiguous(String source, List<TensorInfo> sorted, long dataLength) {
    long expected = 0;
    TensorInfo previous = null;
    for (TensorInfo tensor : sorted) {
      if (tensor.begin() < expected) {
        throw invalid(
            source,
            "tensors '"
                + previous.name()
                + "' "
                + offsets(previous)
                + " and '"
                + tensor.name()
                + "' "
                + offsets(tensor)
                + " overlap");
      }
      if (tensor.begin() > expected) {
        throw invalid(
            source,
            "data section has "
                + (tensor.begin() - expected)
                + " unused bytes at offset "
                + expected
                + (previous == null ? "" : " after tensor '" + previous.name() + "'")
                + " before tensor '"
                + tensor.name()
                + "' (tensors must be contiguous)");
      }
      expected = tensor.end();
      previous = tensor;
    }
    if (expected != dataLength) {
      throw invalid(
          source,
          "data section has "
              + (dataLength - expected)
              + " unused bytes at offset "
              + expected
              + (previous == null
                  ? " (the header lists no tensors)"
                  : " after the last tensor '" + previous.name() + "'")
              + " (the data section is "
              + dataLength
              + " bytes; tensors must cover it exactly)");
    }
  }

  private static String offsets(TensorInfo tensor) {
    return "[" + tensor.begin() + ", " + tensor.end() + "]";
  }

  private static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  private static InvalidCheckpointException invalid(String source, String problem) {
    return new InvalidCheckpointException(source + ": " + problem);
  }

  /**
   * The canonical header for tensors written contiguously in the given order: compact JSON, {@code
   * __metadata__} first, fields in the order dtype, shape, data_offsets (as the reference
   * implementation writes them), padded with spaces to a multiple of 8 bytes.
   */
  static byte[] serialize(List<TensorSpec> specs, Map<String, String> metadata) {
    StringBuilder json = new StringBuilder(64 + specs.size() * 96);
    json.append('{');
    json.append('"').append(METADATA_KEY).append("\":{");
    boolean first = true;
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      appendString(json, entry.getKey()).append(':');
      appendString(json, entry.getValue());
    }
    json.append('}');
    long offset = 0;
    for (TensorSpec spec : specs) {
      long end = offset + spec.byteLength();
      json.append(',');
      appendString(json, spec.name()).append(":{\"dtype\":\"").append(spec.dtype().name());
      json.append("\",\"shape\":[");
      long[] shape = spec.shape();
      for (int i = 0; i < shape.length; i++) {
        json.append(i == 0 ? "" : ",").append(shape[i]);
      }
      json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    json.append('}');
    byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (bytes.length + 7) & ~7;
    byte[] out = java.util.Arrays.copyOf(bytes, padded);
    java.util.Arrays.fill(out, bytes.length, padded, (byte) ' ');
    return out;
  }

  /** A JSON string as serde_json writes it: UTF-8 as is, control characters escaped. */
  private static StringBuilder appendString(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }
}
