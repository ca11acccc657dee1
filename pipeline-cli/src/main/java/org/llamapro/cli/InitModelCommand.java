package org.llamapro.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.llamapro.train.checkpoint.DType;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.PretrainedModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pipeline init-model}: a freshly initialised model directory (demo, tests, experiments).
 */
@Command(
    name = "init-model",
    mixinStandardHelpOptions = true,
    description = {
      "Write a randomly initialised LLaMA-family model as a Hugging Face directory",
      "(config.json, safetensors, the bundled LLaMA-2 tokenizer.json)."
    })
final class InitModelCommand implements Callable<Integer> {
  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Directory to create.")
  Path output;

  @Option(
      names = "--layers",
      defaultValue = "4",
      description = "Decoder blocks (default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--hidden-size", defaultValue = "128", description = "Default: ${DEFAULT-VALUE}.")
  int hidden;

  @Option(
      names = "--intermediate-size",
      defaultValue = "344",
      description = "Default: ${DEFAULT-VALUE}.")
  int intermediate;

  @Option(
      names = "--heads",
      defaultValue = "4",
      description = "Attention heads (default: ${DEFAULT-VALUE}).")
  int heads;

  @Option(names = "--kv-heads", description = "Key/value heads (default: --heads).")
  Integer kvHeads;

  @Option(
      names = "--vocab-size",
      defaultValue = "32000",
      description = "Default: ${DEFAULT-VALUE} (LLaMA-2).")
  int vocab;

  @Option(
      names = "--max-position",
      defaultValue = "4096",
      description = "Default: ${DEFAULT-VALUE}.")
  int maxPosition;

  @Option(
      names = "--model-type",
      defaultValue = "llama",
      description = "llama, mistral or qwen2 (default: ${DEFAULT-VALUE}).")
  String modelType;

  @Option(names = "--tie-embeddings", description = "Share the embedding with lm_head.")
  boolean tie;

  @Option(
      names = "--dtype",
      defaultValue = "f32",
      description = "f32, f16 or bf16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--seed", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--shard-size",
      defaultValue = "5GB",
      description = "Max bytes per safetensors shard (default: ${DEFAULT-VALUE}).")
  String shardSize;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(output) && Files.list(output).findAny().isPresent()) {
      throw new UserInputException("Output directory exists and is not empty: " + output);
    }
    if (hidden % heads != 0) {
      throw new UserInputException(
          "--hidden-size " + hidden + " is not a multiple of --heads " + heads);
    }
    String type = modelType.toLowerCase(Locale.ROOT);
    LlamaConfig config =
        LlamaConfig.builder()
            .optModelType(type)
            .setVocabSize(vocab)
            .setHiddenSize(hidden)
            .setIntermediateSize(intermediate)
            .setNumHiddenLayers(layers)
            .setNumAttentionHeads(heads)
            .optNumKeyValueHeads(kvHeads == null ? heads : kvHeads)
            .optRmsNormEps(1e-5)
            .optMaxPositionEmbeddings(maxPosition)
            .optTieWordEmbeddings(tie)
            .optQkvBias(type.equals("qwen2"))
            .build();
    DType storage =
        switch (dtype.toLowerCase(Locale.ROOT)) {
          case "f32" -> DType.F32;
          case "f16" -> DType.F16;
          case "bf16" -> DType.BF16;
          default ->
              throw new UserInputException("Invalid --dtype: '" + dtype + "' (f32, f16 or bf16)");
        };
    long shardBytes = org.llamapro.config.ByteSize.parse("--shard-size", shardSize);
    PretrainedModels.initialize(output, config, storage, seed, shardBytes);
    System.err.printf(
        Locale.ROOT,
        "Wrote %s: %d blocks, hidden %d, %.2fM parameters, %s%n",
        output,
        layers,
        hidden,
        (config.parametersPerBlock() * layers + (long) vocab * hidden * (tie ? 1 : 2) + hidden)
            / 1e6,
        storage);
    return 0;
  }
}
