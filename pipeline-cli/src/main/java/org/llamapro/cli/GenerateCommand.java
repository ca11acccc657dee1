package org.llamapro.cli;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.train.model.Generator;
import org.llamapro.train.model.LlamaModel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline generate}: continue a prompt with a model (greedy or sampled). */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Continue a prompt. With --ids and --print-ids, the last line of stdout is the generated ids",
      "(not the prompt), space separated; with --prompt, the generated text is printed."
    })
final class GenerateCommand implements Callable<Integer> {
  @Mixin ModelOptions model;

  @ArgGroup(multiplicity = "1")
  Prompt prompt;

  static final class Prompt {
    @Option(names = "--ids", paramLabel = "IDS", description = "Prompt token ids, e.g. 1,450,4996.")
    String ids;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (BOS is added).")
    String text;
  }

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description = "tokenizer.json for --prompt; default: the model's, else the bundled LLaMA-2.")
  Path tokenizer;

  @Option(
      names = "--max-new-tokens",
      defaultValue = "32",
      description = "Default: ${DEFAULT-VALUE}.")
  int maxNewTokens;

  @Option(
      names = "--greedy",
      description = "Pick the most likely token (default unless --temperature).")
  boolean greedy;

  @Option(names = "--temperature", description = "Sampling temperature (turns sampling on).")
  Double temperature;

  @Option(
      names = "--top-p",
      defaultValue = "1.0",
      description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
  double topP;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--print-ids", description = "Print the generated ids instead of text.")
  boolean printIds;

  @Option(names = "--ignore-eos", description = "Do not stop at EOS (id 2).")
  boolean ignoreEos;

  @Override
  public Integer call() {
    boolean sample = temperature != null && !greedy;
    Set<Long> stops = ignoreEos ? Set.of() : Set.of((long) LlamaTokenizer.EOS_ID);
    Generator.Options options =
        new Generator.Options(maxNewTokens, !sample, sample ? temperature : 1.0, topP, seed, stops);
    try (LlamaModel loaded = model.load("generate");
        LlamaTokenizer tok = prompt.text != null || !printIds ? model.tokenizer(tokenizer) : null) {
      long[] input = prompt.ids != null ? IdList.parse(prompt.ids) : tok.encode(prompt.text, true);
      long[] generated = new Generator(loaded).generate(input, options);
      if (printIds || tok == null) {
        System.out.println(IdList.format(generated));
      } else {
        System.out.println(tok.decode(generated));
      }
    }
    return 0;
  }
}
