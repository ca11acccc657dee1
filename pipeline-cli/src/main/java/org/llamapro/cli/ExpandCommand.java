package org.llamapro.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.llamapro.config.ByteSize;
import org.llamapro.train.expand.BlockExpander;
import org.llamapro.train.expand.ExpansionRecord;
import org.llamapro.train.expand.Initialization;
import org.llamapro.train.expand.Placement;
import org.llamapro.train.model.ComputeTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline expand}: LLaMA Pro block expansion of a Hugging Face checkpoint. */
@Command(
    name = "expand",
    mixinStandardHelpOptions = true,
    description = {
      "Insert copies of decoder blocks (LLaMA Pro). With --init identity the copies' o_proj and",
      "down_proj are zero, so the expanded model computes exactly the same function.",
      "Writes a complete Hugging Face directory plus expansion.json (the new block indices)."
    })
final class ExpandCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "IN_DIR",
      description = "The model to expand.")
  Path model;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "OUT_DIR",
      description = "Where to write the expanded model.")
  Path output;

  @Option(
      names = "--layers",
      required = true,
      paramLabel = "N",
      description = "The new total number of blocks (LLaMA-2-7B: 32 -> 40).")
  int layers;

  @Option(
      names = "--placement",
      defaultValue = "interleave",
      description =
          "interleave (one copy after each of M equal groups, the paper), top or bottom (default: ${DEFAULT-VALUE}).")
  String placement;

  @Option(
      names = "--init",
      defaultValue = "identity",
      description =
          "identity (o_proj, down_proj zeroed), copy or random (default: ${DEFAULT-VALUE}).")
  String init;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed for --init random (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--shard-size",
      defaultValue = "5GB",
      description = "Max tensor bytes per safetensors shard (default: ${DEFAULT-VALUE}).")
  String shardSize;

  @Option(
      names = "--overwrite",
      description =
          "Replace an earlier expansion (a directory holding expansion.json) once the new one is"
              + " complete; any other non-empty directory is refused.")
  boolean overwrite;

  @Option(
      names = "--verify",
      description =
          "Compare logits of the base and the expanded model before publishing it; on failure"
              + " nothing is written.")
  boolean verify;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description = "Device for --verify (default: ${DEFAULT-VALUE}).")
  String device;

  @Override
  public Integer call() {
    Initialization initialization = Initialization.parse(init);
    // Resolved first, so a bad --device fails before anything is written.
    ComputeTarget target = verify ? ComputeTarget.resolve(device, "f32") : null;
    BlockExpander.Request request =
        new BlockExpander.Request(
            model,
            output,
            layers,
            Placement.parse(placement),
            initialization,
            seed,
            ByteSize.parse("--shard-size", shardSize),
            overwrite);
    ExpansionRecord record;
    try {
      record =
          BlockExpander.expand(
              request,
              expanded -> {
                // Verified under its staging name: a failure publishes nothing.
                if (verify
                    && VerifyExpansionCommand.report(
                            model, expanded, target, initialization == Initialization.IDENTITY)
                        != 0) {
                  throw new VerificationFailedException();
                }
              });
    } catch (VerificationFailedException e) {
      System.err.println("error: --verify failed; nothing was written to " + output);
      return 1;
    }
    System.out.println(
        String.format(
            Locale.ROOT,
            "expanded %d -> %d blocks (%s, %s); new blocks %s; %s",
            record.oldLayers(),
            record.newLayers(),
            record.placement(),
            record.init(),
            record.newBlocks(),
            output));
    return 0;
  }

  /** Aborts the expansion after a failed --verify (already reported). */
  private static final class VerificationFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    VerificationFailedException() {
      super("--verify failed", null, false, false);
    }
  }
}
