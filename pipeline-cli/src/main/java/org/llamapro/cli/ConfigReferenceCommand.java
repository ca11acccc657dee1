package org.llamapro.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.llamapro.cli.config.ConfigCatalog;
import org.llamapro.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline config-reference}: the configuration reference, from the key declarations. */
@Command(
    name = "config-reference",
    mixinStandardHelpOptions = true,
    description = {
      "Print the reference of every configuration key (type, default, description) as Markdown:"
          + " the text of docs/configuration.md."
    })
final class ConfigReferenceCommand implements Callable<Integer> {
  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Write it to FILE (e.g. docs/configuration.md) instead of stdout.")
  Path output;

  @Override
  public Integer call() throws Exception {
    String reference = ConfigCatalog.reference();
    if (output == null) {
      System.out.print(reference);
    } else {
      AtomicFiles.writeString(output, reference);
    }
    return 0;
  }
}
