package org.llamapro.data.tokenize;

import static java.util.Objects.requireNonNull;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's binding, with truncation and padding off
 * (DJL's defaults truncate to 512 tokens and pad). BOS is added on request; EOS never is.
 *
 * <p>Two ways in: {@link #encode} goes through DJL's {@link Encoding} (ids, types, masks, offsets,
 * tokens), {@link #encodeIds} asks the native library for the ids only, which is what the data
 * stages use. {@link #encodeDocument} also splits long documents after newlines so that the cost
 * stays linear (the LLaMA BPE has no pre-tokenizer: the whole text is one word), with the ids
 * unchanged.
 *
 * <p>The literal text {@code </s>} (or {@code <s>}, {@code <unk>}) inside a text is parsed as its
 * special id even with special tokens off; Hugging Face's {@code tokenizers} and {@code
 * transformers} do the same, and this class keeps that behaviour.
 *
 * <p>Thread-safe: the native tokenizer is immutable, so one instance serves every task of an
 * executor (see {@link TokenizerCache}).
 *
 * <p>The default is the LLaMA-2 tokenizer shipped in this jar ({@link #DEFAULT_RESOURCE}).
 */
public final class LlamaTokenizer implements AutoCloseable {
  public static final String DEFAULT_RESOURCE = org.llamapro.tokenizer.BundledTokenizer.RESOURCE;

  /** How the bundled tokenizer is named in manifests and messages. */
  public static final String DEFAULT_NAME = "classpath:llama-2/tokenizer.json";

  public static final int BOS_ID = 1;
  public static final int EOS_ID = 2;

  /** Pieces of long documents stay under this many characters where a newline allows. */
  public static final int DEFAULT_MAX_PIECE_CHARS = 100_000;

  private static final Map<String, String> OPTIONS =
      Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true");

  private final HuggingFaceTokenizer tokenizer;
  private final TokenizerFile file;
  private final long handle;
  // The ids "\n" encodes to at the start of a text: prefixed to continuation pieces (so that the
  // normalizer's "▁" lands there) and stripped again. [29871, 13] for LLaMA-2.
  private final int[] continuationMarker;

  private LlamaTokenizer(TokenizerFile file) {
    this.file = file;
    try (InputStream in = file.openStream()) {
      this.tokenizer = HuggingFaceTokenizer.newInstance(in, OPTIONS);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "Cannot load tokenizer " + file.name() + ": " + e.getMessage(), e);
    }
    this.handle = tokenizer.getHandle();
    this.continuationMarker = encodeIds("\n", false);
  }

  /** The LLaMA-2 tokenizer bundled with the project. */
  public static LlamaTokenizer bundled() {
    return new LlamaTokenizer(TokenizerFile.bundled());
  }

  /** A {@code tokenizer.json} file, or a directory holding one. */
  public static LlamaTokenizer open(Path path) {
    return new LlamaTokenizer(TokenizerFile.read(path));
  }

  /** {@code path} if given, else the bundled LLaMA-2 tokenizer. */
  public static LlamaTokenizer openOrBundled(Path path) {
    return path == null ? bundled() : open(path);
  }

  /** A tokenizer from bytes already read and checked. */
  public static LlamaTokenizer load(TokenizerFile file) {
    return new LlamaTokenizer(requireNonNull(file, "file is null"));
  }

  public String name() {
    return file.name();
  }

  public TokenizerFile file() {
    return file;
  }

  public int vocabSize() {
    return file.vocabSize();
  }

  public String sha256() {
    return file.sha256();
  }

  /** Token ids of {@code text} through DJL's Encoding, BOS first when {@code addBos}. */
  public long[] encode(String text, boolean addBos) {
    Encoding encoding = tokenizer.encode(text, addBos, false);
    return encoding.getIds();
  }

  /**
   * Token ids of {@code text} through the native ids-only path: no offsets, tokens or masks are
   * built or copied. BOS first when {@code addBos}; no EOS; no splitting.
   */
  public int[] encodeIds(String text, boolean addBos) {
    requireNonNull(text, "text is null");
    long encoding = TokenizersLibrary.LIB.encode(handle, text, addBos);
    try {
      long[] ids = TokenizersLibrary.LIB.getTokenIds(encoding);
      int[] out = new int[ids.length];
      for (int i = 0; i < ids.length; i++) {
        out[i] = (int) ids[i];
      }
      return out;
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
  }

  /** {@link #encodeDocument(String, boolean, int)} with {@link #DEFAULT_MAX_PIECE_CHARS}. */
  public int[] encodeDocument(String text, boolean addBos) {
    return encodeDocument(text, addBos, DEFAULT_MAX_PIECE_CHARS);
  }

  /**
   * The ids of a whole document, equal to {@link #encodeIds} of it, but computed piece by piece
   * (pieces end after a newline, under {@code maxPieceChars} where the text allows) so that the
   * cost stays linear in the length. Tokenizers where a split could change the ids are never split.
   */
  public int[] encodeDocument(String text, boolean addBos, int maxPieceChars) {
    requireNonNull(text, "text is null");
    if (text.length() <= maxPieceChars || !file.newlineSplitSafe()) {
      return encodeIds(text, addBos);
    }
    int[] cuts = DocumentSplitter.cuts(text, maxPieceChars, file.spaceSplitSafe());
    if (cuts.length == 0) {
      return encodeIds(text, addBos);
    }
    IntBuffer out = new IntBuffer(text.length() / 3 + 16);
    out.addAll(encodeIds(text.substring(0, cuts[0]), addBos), 0);
    for (int i = 0; i < cuts.length; i++) {
      int end = i + 1 < cuts.length ? cuts[i + 1] : text.length();
      // "\n" + piece: the normalizer's "▁" goes before the newline, whose ids we drop.
      int[] ids = encodeIds("\n" + text.substring(cuts[i], end), false);
      if (!startsWith(ids, continuationMarker)) {
        throw new IllegalStateException(
            "Tokenizer "
                + file.name()
                + " encoded a continuation piece with an unexpected start "
                + Arrays.toString(Arrays.copyOf(ids, Math.min(ids.length, 4)))
                + " (expected "
                + Arrays.toString(continuationMarker)
                + ")");
      }
      out.addAll(ids, continuationMarker.length);
    }
    return out.toArray();
  }

  public String decode(long[] ids) {
    return tokenizer.decode(ids, true);
  }

  /** Text of {@code ids}; with {@code skipSpecialTokens} false a literal {@code </s>} survives. */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      longs[i] = ids[i];
    }
    return tokenizer.decode(longs, skipSpecialTokens);
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  private static boolean startsWith(int[] ids, int[] prefix) {
    if (ids.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (ids[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** A growable int array. */
  static final class IntBuffer {
    private int[] values;
    private int size;

    IntBuffer(int capacity) {
      values = new int[Math.max(16, capacity)];
    }

    void addAll(int[] source, int from) {
      int n = source.length - from;
      if (size + n > values.length) {
        values = Arrays.copyOf(values, Math.max(values.length * 2, size + n));
      }
      System.arraycopy(source, from, values, size, n);
      size += n;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
