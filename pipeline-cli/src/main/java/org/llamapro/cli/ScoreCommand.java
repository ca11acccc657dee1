package org.llamapro.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.Scorer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline score}: mean next-token NLL of a sequence, as one JSON line. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Print {\"nll\": <mean next-token negative log-likelihood in nats>, \"tokens\": <predicted tokens>}."
    })
final class ScoreCommand implements Callable<Integer> {
  @Mixin ModelOptions model;

  @ArgGroup(multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--ids", paramLabel = "IDS", description = "Token ids, e.g. 1,450,4996,29991.")
    String ids;

    @Option(names = "--text", paramLabel = "TEXT", description = "Text (BOS is added).")
    String text;
  }

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description = "tokenizer.json for --text; default: the model's, else the bundled LLaMA-2.")
  Path tokenizer;

  @Override
  public Integer call() {
    long[] ids;
    if (input.ids != null) {
      ids = IdList.parse(input.ids);
    } else {
      try (LlamaTokenizer tok = model.tokenizer(tokenizer)) {
        ids = tok.encode(input.text, true);
      }
    }
    try (LlamaModel loaded = model.load("score")) {
      Scorer.Score score = new Scorer(loaded).score(ids);
      System.out.println(
          String.format(
              Locale.ROOT, "{\"nll\": %.6f, \"tokens\": %d}", score.meanNll(), score.tokens()));
    }
    return 0;
  }
}
