package org.llamapro.cli;

import java.util.concurrent.Callable;
import org.llamapro.data.inspect.ShardInspector;
import org.llamapro.shards.ShardTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pipeline shards inspect}: counts, tokens per source, lengths, rows decoded. */
@Command(
    name = "shards",
    mixinStandardHelpOptions = true,
    description = "Look into a shard table.",
    subcommands = {ShardsCommand.Inspect.class})
final class ShardsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description =
          "Counts per split, tokens per source, document length histogram and the first rows,"
              + " optionally decoded with document boundaries marked ⟦source id⟧.")
  static final class Inspect implements Callable<Integer> {
    @Parameters(
        paramLabel = "PATH",
        description = "The shard table (…/shards) or the directory holding shards/.")
    String path;

    @Option(names = "--rows", paramLabel = "N", description = "Rows to show (default 3).")
    int rows = 3;

    @Option(names = "--decode", description = "Decode rows to text.")
    boolean decode;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(
        names = "--table-version",
        paramLabel = "V",
        description = "Table version (default: the latest).")
    long version = -1;

    @Override
    public Integer call() throws Exception {
      if (rows < 0) {
        throw new IllegalArgumentException("Invalid --rows: " + rows + " (must be >= 0)");
      }
      try (ShardInspector inspector =
          ShardInspector.open(
              ShardTable.open(new org.apache.hadoop.conf.Configuration(), path, version), null)) {
        if (json) {
          System.out.println(
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .setPropertyNamingStrategy(
                      com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
                  .writerWithDefaultPrettyPrinter()
                  .writeValueAsString(inspector.report(rows, decode)));
        } else {
          System.out.print(inspector.reportText(rows, decode));
        }
      }
      return 0;
    }
  }
}
