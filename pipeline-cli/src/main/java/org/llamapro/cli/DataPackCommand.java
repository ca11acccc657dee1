package org.llamapro.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.llamapro.config.Settings;
import org.llamapro.data.pack.DocumentsTable;
import org.llamapro.data.pack.InputSnapshot;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.pack.PackResult;
import org.llamapro.data.pack.TokenizePackStage;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.io.JsonFiles;
import org.llamapro.io.RemoteOutputGuard;
import org.llamapro.shards.ShardBuild;
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
      "Keys: tokenize.*, mix.*, pack.* (see docs/configuration.md; the shard layout is in docs/formats.md)."
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
            .resolve(PackOptions.KEYS)
            .with(PackOptions.SEQ_LEN, seqLen)
            .with(PackOptions.TOKENIZER, tokenizer == null ? null : tokenizer.toAbsolutePath());
    PackOptions options = PackOptions.from(settings);
    RemoteOutputGuard.requireDisjoint(output, Map.of("--documents", documents));
    SparkSession spark = SparkSessions.getOrCreate("pipeline data pack");
    Dataset<Row> table = DocumentsTable.read(spark, documents);
    ShardBuild.Input input =
        InputSnapshot.describe(spark.sparkContext().hadoopConfiguration(), documents);
    PackResult result = TokenizePackStage.run(spark, table, options, output, input);
    System.out.print(JsonFiles.toJson(result.report()));
    return 0;
  }
}
