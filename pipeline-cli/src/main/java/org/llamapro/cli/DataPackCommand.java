package org.llamapro.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.llamapro.cli.config.UnconvertedGroups;
import org.llamapro.config.Settings;
import org.llamapro.data.pack.InputSnapshot;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.pack.PackResult;
import org.llamapro.data.pack.TokenizePackStage;
import org.llamapro.data.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline data pack}: tokenize, mix and pack a documents table into shards. */
@Command(
    name = "pack",
    mixinStandardHelpOptions = true,
    description = {
      "Tokenize, mix and pack a documents table (clean/) into the shard table DIR/shards and"
          + " DIR/manifest.json. Prints a JSON summary.",
      "Keys: tokenize.*, mix.*, pack.* (see README, 'Shards')."
    })
final class DataPackCommand implements Callable<Integer> {
  @Option(
      names = "--documents",
      required = true,
      paramLabel = "DIR",
      description = "Documents table (Delta or Parquet) with id, source, text, content_hash.")
  String documents;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Output directory: shards/ and manifest.json are written there.")
  String output;

  @Option(
      names = "--seq-len",
      paramLabel = "N",
      description = "Tokens per row (pack.seq-len, default 4096).")
  Integer seqLen;

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description = "tokenizer.json (tokenize.tokenizer); default: the bundled LLaMA-2 tokenizer.")
  Path tokenizer;

  @Mixin ConfigOptions config;

  @Override
  public Integer call() throws Exception {
    Settings settings =
        config
            .resolve(UnconvertedGroups.PACK)
            .with(PackOptions.SEQ_LEN, seqLen)
            .with(PackOptions.TOKENIZER, tokenizer == null ? null : tokenizer.toAbsolutePath());
    PackOptions options = PackOptions.fromSettings(settings);
    SparkSession spark = SparkSessions.getOrCreate("pipeline data pack");
    Dataset<Row> table = TokenizePackStage.readDocuments(spark, documents);
    InputSnapshot input =
        InputSnapshot.describe(spark.sparkContext().hadoopConfiguration(), documents);
    PackResult result = TokenizePackStage.run(spark, table, options, output, input);
    System.out.println(
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writerWithDefaultPrettyPrinter()
            .writeValueAsString(result.toSummary()));
    return 0;
  }
}
