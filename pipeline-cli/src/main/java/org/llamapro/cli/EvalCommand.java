package org.llamapro.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.eval.perplexity.PerplexityEvaluator;
import org.llamapro.eval.perplexity.PerplexityFile;
import org.llamapro.eval.perplexity.PerplexityReport;
import org.llamapro.io.JsonFiles;
import org.llamapro.shards.ShardTable;
import org.llamapro.train.model.LlamaModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline eval}: evaluation of models (perplexity so far). */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Evaluate models.",
    subcommands = {EvalCommand.Perplexity.class})
final class EvalCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** {@code pipeline eval perplexity}: per-source perplexity on held-out shards, as JSON. */
  @Command(
      name = "perplexity",
      mixinStandardHelpOptions = true,
      description = {
        "Per-source token perplexity, byte perplexity and bits per byte of a model on a split",
        "of a shard table (default: the held-out validation rows), printed as JSON."
      })
  static final class Perplexity implements Callable<Integer> {
    @Mixin ModelOptions model;

    @Option(
        names = "--shards",
        required = true,
        paramLabel = "DIR",
        description = "Shard table (or the data prepare output holding shards/).")
    String shards;

    @Option(
        names = "--split",
        defaultValue = "validation",
        description = "Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(
        names = "--max-rows",
        defaultValue = "0",
        description = "Evaluate at most this many rows (0: all).")
    long maxRows;

    @Option(
        names = "--batch-size",
        defaultValue = "4",
        description = "Rows per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
        names = "--tokenizer",
        paramLabel = "FILE",
        description =
            "tokenizer.json used to count bytes; default: the model's, else the bundled LLaMA-2.")
    Path tokenizer;

    @Option(
        names = "--output",
        paramLabel = "FILE",
        description = "Also write the JSON report to this file.")
    Path output;

    @Override
    public Integer call() throws Exception {
      ShardTable table = ShardTable.open(shards);
      try (LlamaModel loaded = model.load("eval perplexity");
          LlamaTokenizer tok = model.tokenizer(tokenizer)) {
        PerplexityReport report =
            new PerplexityEvaluator(loaded, tok, batchSize)
                .evaluate(table, split, maxRows, model.model.toString());
        PerplexityFile file = PerplexityFile.of(report);
        System.out.print(JsonFiles.toJson(file));
        if (output != null) {
          file.write(output);
        }
      }
      return 0;
    }
  }
}
