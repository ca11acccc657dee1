package org.llamapro.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The LLaMA-2 {@code tokenizer.json} shipped inside this jar, for models and shards made here. */
public final class BundledTokenizer {
  /** Classpath location of the bundled file. */
  public static final String RESOURCE = "/org/llamapro/tokenize/llama-2/tokenizer.json";

  private BundledTokenizer() {}

  /** Opens the bundled file; the caller closes the stream. */
  public static InputStream open() {
    InputStream in = BundledTokenizer.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException("Bundled tokenizer missing from classpath: " + RESOURCE);
    }
    return in;
  }

  /** Copies the bundled file to {@code target}, replacing what is there. */
  public static void copyTo(Path target) {
    try (InputStream in = open()) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy the bundled tokenizer to " + target, e);
    }
  }
}
