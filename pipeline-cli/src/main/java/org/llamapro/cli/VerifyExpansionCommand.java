package org.llamapro.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.llamapro.train.expand.ExpansionRecord;
import org.llamapro.train.expand.ExpansionVerifier;
import org.llamapro.train.expand.Initialization;
import org.llamapro.train.model.ComputeTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline verify-expansion}: logits of base and expanded model, compared. */
@Command(
    name = "verify-expansion",
    mixinStandardHelpOptions = true,
    description = {
      "Run the same token sequences through a base and an expanded model and report the largest",
      "logit difference as JSON. For an identity expansion it must be exactly 0 (exit 1 otherwise)."
    })
final class VerifyExpansionCommand implements Callable<Integer> {
  @Option(
      names = "--base",
      required = true,
      paramLabel = "DIR",
      description = "The original model.")
  Path base;

  @Option(
      names = "--expanded",
      required = true,
      paramLabel = "DIR",
      description = "The expanded model.")
  Path expanded;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description = "Default: ${DEFAULT-VALUE} (F32).")
  String device;

  @Override
  public Integer call() {
    boolean identity =
        Files.exists(expanded.resolve(ExpansionRecord.FILE_NAME))
            && ExpansionRecord.read(expanded).init() == Initialization.IDENTITY;
    return report(base, expanded, ComputeTarget.resolve(device, "f32"), identity);
  }

  static int report(Path base, Path expanded, ComputeTarget target, boolean mustBeIdentical) {
    ExpansionVerifier.Result result =
        ExpansionVerifier.verify(base, expanded, target.logged("verify-expansion"), 4, 64, 0);
    boolean ok = !mustBeIdentical || result.maxAbsDifference() == 0.0;
    System.out.println(
        String.format(
            Locale.ROOT,
            "{\"sequences\": %d, \"tokens\": %d, \"max_abs_logit_difference\": %s, \"identity_expected\": %b, \"ok\": %b}",
            result.sequences(),
            result.length(),
            result.maxAbsDifference(),
            mustBeIdentical,
            ok));
    if (!ok) {
      System.err.println(
          "error: the identity expansion changed the logits (max difference "
              + result.maxAbsDifference()
              + "); the expanded model is not the same function");
      return 1;
    }
    return 0;
  }
}
