package org.llamapro.data.ingest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.llamapro.hash.Sha256;

/**
 * Turns one input record into an {@link IngestColumns#RECORD} row: a document, or a bad record with
 * its reason. UTF-8 is decoded and encoded strictly ({@link CodingErrorAction#REPORT}), never
 * replaced. One instance per task (the coders are not thread-safe).
 */
final class RecordBuilder {
  static final int SAMPLE_CHARS = 200;

  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final CharsetEncoder encoder =
      StandardCharsets.UTF_8
          .newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  /** Decodes strict UTF-8; on failure returns null and leaves the byte offset in {@code error}. */
  String decode(byte[] bytes, int length, long[] errorOffset) {
    decoder.reset();
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
    CharBuffer out = CharBuffer.allocate(length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      errorOffset[0] = in.position();
      return null;
    }
    result = decoder.flush(out);
    if (result.isError()) {
      errorOffset[0] = in.position();
      return null;
    }
    out.flip();
    return out.toString();
  }

  /** A good document, or a bad record when the text is blank or not encodable as UTF-8. */
  Row document(InputFile file, long position, String text, String meta) {
    if (text.isBlank()) {
      return bad(
          file,
          position,
          QuarantineReason.EMPTY_DOCUMENT,
          text.isEmpty() ? "empty text" : "whitespace-only text (" + text.length() + " chars)",
          null);
    }
    byte[] utf8;
    try {
      ByteBuffer encoded = encoder.reset().encode(CharBuffer.wrap(text));
      utf8 = Arrays.copyOfRange(encoded.array(), encoded.arrayOffset(), encoded.limit());
    } catch (CharacterCodingException e) {
      return bad(
          file,
          position,
          QuarantineReason.INVALID_UTF8,
          "text is not valid Unicode (unpaired surrogate escape): " + e.getMessage(),
          sample(text));
    }
    return RowFactory.create(
        file.idOf(position),
        file.source(),
        file.uri(),
        position,
        text,
        meta,
        Sha256.hex(utf8),
        (long) utf8.length,
        null,
        null,
        null);
  }

  static Row bad(InputFile file, long position, String reason, String detail, String sample) {
    return RowFactory.create(
        file.idOf(position),
        file.source(),
        file.uri(),
        position,
        null,
        null,
        null,
        0L,
        reason,
        detail,
        sample);
  }

  static String sample(String text) {
    return text.length() <= SAMPLE_CHARS ? text : text.substring(0, SAMPLE_CHARS);
  }

  /** The start of raw bytes as text, invalid sequences replaced: only for display. */
  static String sample(byte[] bytes, int length) {
    return sample(new String(bytes, 0, Math.min(length, SAMPLE_CHARS * 4), StandardCharsets.UTF_8));
  }
}
