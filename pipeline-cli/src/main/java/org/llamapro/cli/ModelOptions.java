package org.llamapro.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.llamapro.data.tokenize.LlamaTokenizer;
import org.llamapro.train.model.ComputeTarget;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.PretrainedModels;
import picocli.CommandLine.Option;

/** {@code --model DIR --device D --dtype T}: which checkpoint, where, and in which precision. */
final class ModelOptions {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "Hugging Face model directory (config.json + *.safetensors).")
  Path model;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description = "cpu, gpu, gpu:N or auto (default: ${DEFAULT-VALUE}: GPU 0 if present).")
  String device;

  @Option(
      names = "--dtype",
      defaultValue = "auto",
      description = "f32, f16 or auto (default: ${DEFAULT-VALUE}: f32 on CPU, f16 on GPU).")
  String dtype;

  /**
   * {@code explicit} if given, else the model directory's tokenizer.json, else the bundled LLaMA-2.
   */
  LlamaTokenizer tokenizer(Path explicit) {
    Path beside = model.resolve("tokenizer.json");
    Path file = explicit != null ? explicit : Files.isRegularFile(beside) ? beside : null;
    return LlamaTokenizer.openOrBundled(file);
  }

  LlamaModel load(String what) {
    if (!Files.isDirectory(model)) {
      throw new UserInputException("Model directory not found: " + model);
    }
    ComputeTarget target = ComputeTarget.resolve(device, dtype).logged(what);
    return PretrainedModels.load(model, target);
  }
}
