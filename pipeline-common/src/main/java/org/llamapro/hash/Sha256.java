package org.llamapro.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hex SHA-256, the content hash of the documents table and of normalised text. */
public final class Sha256 {
  private Sha256() {}

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  public static String hex(String text) {
    return hex(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Hex SHA-256 of a file's bytes, streamed (models and tokenizers can be large). */
  public static String hex(java.nio.file.Path file) {
    MessageDigest digest = digest();
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 20];
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A new SHA-256 digest. */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
