package org.llamapro.data.tokenize;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/**
 * The bytes of a Hugging Face {@code tokenizer.json} and the facts read from it once: its SHA-256
 * (recorded in shard manifests), the vocabulary size (model vocabulary and added tokens) and
 * whether long documents may be split at newlines without changing the ids.
 */
public final class TokenizerFile {
  private final String name;
  private final byte[] bytes;
  private final String sha256;
  private final int vocabSize;
  private final boolean newlineSplitSafe;
  private final boolean spaceSplitSafe;

  private TokenizerFile(String name, byte[] bytes) {
    this.name = name;
    this.bytes = bytes;
    this.sha256 = sha256(bytes);
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot parse tokenizer " + name + " as JSON: " + e.getMessage(), e);
    }
    JsonNode vocab = root.path("model").path("vocab");
    if (!vocab.isObject() || vocab.isEmpty()) {
      throw new IllegalArgumentException(
          "Tokenizer "
              + name
              + " has no model.vocab object (expected a Hugging Face tokenizer.json)");
    }
    int maxId = -1;
    boolean newlineInVocab = false;
    boolean innerMetaspace = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      maxId = Math.max(maxId, entry.getValue().asInt());
      String piece = entry.getKey();
      newlineInVocab |= piece.indexOf('\n') >= 0;
      innerMetaspace |=
          piece.indexOf('\u2581', 1) > 0 && !piece.chars().allMatch(c -> c == '\u2581');
    }
    for (JsonNode added : root.path("added_tokens")) {
      maxId = Math.max(maxId, added.path("id").asInt());
    }
    this.vocabSize = maxId + 1;
    // Splitting after a newline keeps the ids only for SentencePiece-style BPE with no
    // pre-tokenizer (the whole text is one word) where no merge can cross a newline and the
    // normalizer prepends "▁" (which continuation pieces must not get).
    this.newlineSplitSafe =
        !newlineInVocab
            && root.path("pre_tokenizer").isNull()
            && root.path("normalizer").toString().contains("\"Prepend\"");
    // A single space between two words may also be cut when no piece has a "▁" after a
    // character (LLaMA-2: only runs of "▁" do).
    this.spaceSplitSafe = newlineSplitSafe && !innerMetaspace;
  }

  /** The LLaMA-2 tokenizer bundled in this jar. */
  public static TokenizerFile bundled() {
    try (InputStream in =
        TokenizerFile.class.getResourceAsStream(LlamaTokenizer.DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "Bundled tokenizer missing from classpath: " + LlamaTokenizer.DEFAULT_RESOURCE);
      }
      return new TokenizerFile(LlamaTokenizer.DEFAULT_NAME, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read bundled tokenizer " + LlamaTokenizer.DEFAULT_RESOURCE, e);
    }
  }

  /** A {@code tokenizer.json} file, or a directory holding one. */
  public static TokenizerFile read(Path path) {
    requireNonNull(path, "path is null");
    Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "Tokenizer not found: " + file + " (expected a Hugging Face tokenizer.json)");
    }
    try {
      return new TokenizerFile(file.toString(), Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read tokenizer " + file, e);
    }
  }

  /** {@code path} if given, else the bundled LLaMA-2 tokenizer. */
  public static TokenizerFile readOrBundled(Path path) {
    return path == null ? bundled() : read(path);
  }

  /** Bytes already read elsewhere (e.g. from a Spark broadcast); {@code name} is for messages. */
  public static TokenizerFile of(String name, byte[] bytes) {
    return new TokenizerFile(requireNonNull(name, "name is null"), bytes.clone());
  }

  public String name() {
    return name;
  }

  /** Hex SHA-256 of the file's bytes. */
  public String sha256() {
    return sha256;
  }

  /** One more than the largest id of the vocabulary and the added tokens (32,000 for LLaMA-2). */
  public int vocabSize() {
    return vocabSize;
  }

  /** Whether long documents may be split after newlines with the ids unchanged. */
  public boolean newlineSplitSafe() {
    return newlineSplitSafe;
  }

  /** Whether a single space between two words is also a safe cut (for lines over the limit). */
  public boolean spaceSplitSafe() {
    return spaceSplitSafe;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  InputStream openStream() {
    return new java.io.ByteArrayInputStream(bytes);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
