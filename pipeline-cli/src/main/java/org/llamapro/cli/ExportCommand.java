package org.llamapro.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.llamapro.config.ByteSize;
import org.llamapro.train.trainer.ModelExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline export}: a trained run as a complete Hugging Face model directory. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Merge a run's latest trained blocks into its expanded model and write a complete Hugging"
            + " Face model directory (safetensors shards, config, tokenizer).")
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "Run directory.")
  Path run;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description =
          "New model directory: absent or empty, outside --run and --model (with --overwrite: an"
              + " earlier export, recognised by its training.json).")
  Path output;

  @Option(
      names = "--overwrite",
      description = "Replace --output if it is an earlier export; anything else is refused.")
  boolean overwrite;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Expanded model to merge into (default: the one the run recorded).")
  Path model;

  @Option(
      names = "--max-shard-size",
      defaultValue = "5GB",
      description = "Largest safetensors shard (default ${DEFAULT-VALUE}).")
  String maxShardSize;

  @Override
  public Integer call() {
    ModelExport.Result result =
        ModelExport.export(
            run, model, output, ByteSize.parse("--max-shard-size", maxShardSize), overwrite);
    System.out.println(
        "{\"output\": \""
            + result.output()
            + "\", \"step\": "
            + result.step()
            + ", \"trained_tensors\": "
            + result.trainedTensors()
            + ", \"tensors\": "
            + result.tensors()
            + "}");
    return 0;
  }
}
