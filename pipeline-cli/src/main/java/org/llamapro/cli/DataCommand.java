package org.llamapro.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pipeline data}: the data commands ({@code prepare}; tokenize/pack join later). */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Data preparation on Spark: ingest, dedupe, decontaminate, tokenize, mix, pack.",
    subcommands = {DataPrepareCommand.class, DataPackCommand.class})
final class DataCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
