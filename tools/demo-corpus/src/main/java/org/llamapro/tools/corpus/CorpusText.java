package org.llamapro.tools.corpus;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Text helpers shared by the subsets: strict UTF-8 reading and the hashes the formats carry. */
final class CorpusText {
  private CorpusText() {}

  /** Reads a file as UTF-8, refusing malformed bytes (the corpus must be valid UTF-8). */
  static String readUtf8(Path file) throws IOException {
    return decodeUtf8(Files.readAllBytes(file), file.toString());
  }

  /** Decodes UTF-8 strictly; {@code where} names the source in the error. */
  static String decodeUtf8(byte[] bytes, String where) throws IOException {
    try {
      return UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IOException("Not valid UTF-8: " + where, e);
    }
  }

  /** True when the file decodes as UTF-8; used to skip the odd Latin-1 file in a globbed list. */
  static boolean isUtf8(Path file) throws IOException {
    try {
      readUtf8(file);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String sha256Hex(String text) {
    return HexFormat.of().formatHex(digest("SHA-256").digest(text.getBytes(UTF_8)));
  }

  /** The id git gives the file's content (what The Stack calls {@code hexsha}). */
  static String gitBlobSha1(String text) {
    byte[] content = text.getBytes(UTF_8);
    MessageDigest sha1 = digest("SHA-1");
    sha1.update(("blob " + content.length + "\0").getBytes(UTF_8));
    sha1.update(content);
    return HexFormat.of().formatHex(sha1.digest());
  }

  static int utf8Length(String text) {
    return text.getBytes(UTF_8).length;
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is missing from this JVM", e);
    }
  }
}
