package org.llamapro.cli;

import org.llamapro.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point: {@code bin/pipeline COMMAND} and {@code spark-submit --class
 * org.llamapro.cli.PipelineMain app.jar COMMAND}. Commands only wire options to the modules.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "LLaMA Pro: block expansion and continued pretraining on Apache Spark.",
    subcommands = {
      CommandLine.HelpCommand.class,
      TokenizeCommand.class,
      InitModelCommand.class,
      GenerateCommand.class,
      ScoreCommand.class,
      ExpandCommand.class,
      VerifyExpansionCommand.class,
      DataPackCommand.class,
      ShardsCommand.class,
      TrainCommand.class,
      ExportCommand.class,
    })
public final class PipelineMain implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    int code = execute(args);
    System.exit(code);
  }

  /** Runs a command line and returns the exit code (0 ok, 1 failure, 2 bad usage or input). */
  public static int execute(String... args) {
    CommandLine commandLine = new CommandLine(new PipelineMain());
    commandLine.setExecutionExceptionHandler(
        (exception, cmd, parseResult) -> {
          if (exception instanceof ConfigException
              || exception instanceof IllegalArgumentException
              || exception instanceof UserInputException) {
            cmd.getErr().println("error: " + exception.getMessage());
            return 2;
          }
          cmd.getErr().println("error: " + exception);
          exception.printStackTrace(cmd.getErr());
          return 1;
        });
    return commandLine.execute(args);
  }
}
