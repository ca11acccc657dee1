package org.llamapro.data.tokenize;

import static java.util.Objects.requireNonNull;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's binding, with truncation and padding off
 * (DJL's defaults truncate to 512 tokens and pad). BOS is added on request; EOS never is.
 *
 * <p>The default is the LLaMA-2 tokenizer shipped in this jar ({@link #DEFAULT_RESOURCE}).
 */
public final class LlamaTokenizer implements AutoCloseable {
  public static final String DEFAULT_RESOURCE = "/org/llamapro/tokenize/llama-2/tokenizer.json";

  /** How the bundled tokenizer is named in manifests and messages. */
  public static final String DEFAULT_NAME = "classpath:llama-2/tokenizer.json";

  public static final int BOS_ID = 1;
  public static final int EOS_ID = 2;

  private static final Map<String, String> OPTIONS =
      Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true");

  private final HuggingFaceTokenizer tokenizer;
  private final String name;

  private LlamaTokenizer(HuggingFaceTokenizer tokenizer, String name) {
    this.tokenizer = tokenizer;
    this.name = name;
  }

  /** The LLaMA-2 tokenizer bundled with the project. */
  public static LlamaTokenizer bundled() {
    try (InputStream in = LlamaTokenizer.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "Bundled tokenizer missing from classpath: " + DEFAULT_RESOURCE);
      }
      return new LlamaTokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS), DEFAULT_NAME);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read bundled tokenizer " + DEFAULT_RESOURCE, e);
    }
  }

  /** A {@code tokenizer.json} file, or a directory holding one. */
  public static LlamaTokenizer open(Path path) {
    requireNonNull(path, "path is null");
    Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "Tokenizer not found: " + file + " (expected a Hugging Face tokenizer.json)");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return new LlamaTokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS), file.toString());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "Cannot load tokenizer " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code path} if given, else the bundled LLaMA-2 tokenizer. */
  public static LlamaTokenizer openOrBundled(Path path) {
    return path == null ? bundled() : open(path);
  }

  public String name() {
    return name;
  }

  /** Token ids of {@code text}, with BOS first when {@code addBos}. No EOS, no truncation. */
  public long[] encode(String text, boolean addBos) {
    Encoding encoding = tokenizer.encode(text, addBos, false);
    return encoding.getIds();
  }

  public String decode(long[] ids) {
    return tokenizer.decode(ids, true);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
