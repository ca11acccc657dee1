package org.llamapro.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.llamapro.config.ConfigException;
import org.llamapro.io.InvalidFileException;
import org.llamapro.io.LocalPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
      ShardsCommand.class,
      EvalCommand.class,
      DataCommand.class,
      TrainCommand.class,
      ExportCommand.class,
      DemoCommand.class,
      ConfigReferenceCommand.class,
    })
public final class PipelineMain implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineMain.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    int code = execute(args);
    System.exit(code);
  }

  /**
   * Runs a command line and returns the exit code: 0 ok, 2 bad usage or input (including files that
   * cannot be read or written and unreachable storage), 1 anything else, which is a bug and gets
   * its stack trace.
   */
  public static int execute(String... args) {
    CommandLine commandLine = new CommandLine(new PipelineMain());
    // Every Path option is local: a remote URI there is refused, not read as a folder "s3a:".
    commandLine.registerConverter(
        Path.class,
        text -> {
          try {
            return LocalPaths.of("", text);
          } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
          }
        });
    commandLine.setExecutionExceptionHandler(
        (exception, cmd, parseResult) -> {
          String message = userMessage(exception);
          if (message != null) {
            LOG.debug("{} failed", cmd.getCommandName(), exception);
            cmd.getErr().println("error: " + message);
            return 2;
          }
          cmd.getErr().println("error: " + exception);
          exception.printStackTrace(cmd.getErr());
          return 1;
        });
    return commandLine.execute(args);
  }

  /**
   * One line for a failure the user can act on: bad input, a malformed file, or an I/O failure
   * anywhere in the cause chain (Spark and Hadoop wrap those); null for anything else.
   */
  static String userMessage(Throwable exception) {
    if (exception instanceof ConfigException
        || exception instanceof IllegalArgumentException
        || exception instanceof UserInputException) {
      return firstLine(exception.getMessage());
    }
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof InvalidFileException) {
        return firstLine(t.getMessage());
      }
      if (t instanceof UncheckedIOException unchecked) {
        // Our own wrappers name the file and the problem; the cause says why.
        String why = describe(unchecked.getCause());
        String message = unchecked.getMessage();
        return firstLine(message == null || message.contains(why) ? why : message + ": " + why);
      }
      if (t instanceof IOException io) {
        return firstLine(describe(io));
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String describe(IOException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (e instanceof NoSuchFileException missing) {
      return "No such file or directory: " + missing.getFile();
    }
    if (e instanceof AccessDeniedException denied) {
      return "Permission denied: " + denied.getFile();
    }
    if (e instanceof FileSystemException fs) {
      return "Cannot access "
          + fs.getFile()
          + (fs.getReason() == null ? "" : ": " + fs.getReason());
    }
    if (e instanceof UnknownHostException) {
      return "Cannot reach host " + message + " (check the URI, the network and the credentials)";
    }
    if (e instanceof CharacterCodingException) {
      return "Not valid UTF-8 text (" + e.getClass().getSimpleName() + ")";
    }
    return message.isEmpty() ? "I/O failure: " + e.getClass().getSimpleName() : message;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    return newline < 0 ? line : line.substring(0, newline).strip() + " ...";
  }
}
