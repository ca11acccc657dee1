package org.llamapro.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.llamapro.data.tokenize.LlamaTokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline tokenize}: prints the token ids of a text, space separated, on one line. */
@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    description = "Print the token ids of a text (BOS first unless --no-bos; EOS is never added).")
final class TokenizeCommand implements Callable<Integer> {
  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description = "tokenizer.json (or its directory); default: the bundled LLaMA-2 tokenizer.")
  Path tokenizer;

  @ArgGroup(multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--text", paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Option(names = "--file", paramLabel = "FILE", description = "A UTF-8 file to tokenize.")
    Path file;
  }

  @Option(names = "--no-bos", description = "Leave out BOS (id 1).")
  boolean noBos;

  @Override
  public Integer call() {
    String text = input.text != null ? input.text : readUtf8(input.file);
    try (LlamaTokenizer tok = LlamaTokenizer.openOrBundled(tokenizer)) {
      long[] ids = tok.encode(text, !noBos);
      System.out.println(
          Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(" ")));
    }
    return 0;
  }

  static String readUtf8(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException("File not found: " + file);
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + " as UTF-8", e);
    }
  }
}
