package org.llamapro.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.llamapro.config.Settings;
import org.llamapro.data.decontam.DecontamOptions;
import org.llamapro.data.dedupe.DedupeOptions;
import org.llamapro.data.ingest.IngestOptions;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.pack.PackPrepareStage;
import org.llamapro.data.prepare.PrepareOptions;
import org.llamapro.data.prepare.PreparePipeline;
import org.llamapro.data.prepare.PrepareSummary;
import org.llamapro.data.spark.SparkSessions;
import org.llamapro.io.JsonFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pipeline data prepare}: runs ingest, dedupe, decontam, clean; prints summary.json. */
@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    description = {
      "Read the corpora, deduplicate and decontaminate them, and write documents/, quarantine/,"
          + " dedupe/audit/, dedupe/index/, clean/ and summary.json under --output.",
      "Re-running with the same --output resumes: completed stages with unchanged settings are"
          + " skipped, and a stage that failed or was killed is redone. --output must not contain"
          + " or be inside an --input."
    })
final class DataPrepareCommand implements Callable<Integer> {
  @Option(
      names = "--input",
      paramLabel = "SOURCE=PATH",
      description =
          "A source and its root (local, hdfs://, s3a://); repeatable. Sources: stack,"
              + " algebraic-stack, open-web-math, arxiv (or any name). Same as --set"
              + " ingest.input.SOURCE=PATH.")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Output directory (local, hdfs://, s3a://). Same as --set prepare.output=DIR.")
  String output;

  @Option(
      names = "--seq-len",
      paramLabel = "N",
      description = "Tokens per packed row (default 4096). Same as --set pack.seq-len=N.")
  Integer seqLen;

  @Option(
      names = "--tokenizer",
      paramLabel = "FILE",
      description =
          "Hugging Face tokenizer.json (default: the bundled LLaMA-2). Same as --set"
              + " tokenize.tokenizer=FILE.")
  String tokenizer;

  @Mixin ConfigOptions config;

  @Override
  public Integer call() throws Exception {
    Settings settings =
        config.resolve(
            PrepareOptions.KEYS,
            IngestOptions.KEYS,
            DedupeOptions.KEYS,
            DecontamOptions.KEYS,
            PackOptions.KEYS);
    for (String input : inputs) {
      int eq = input.indexOf('=');
      if (eq <= 0 || eq == input.length() - 1) {
        throw new UserInputException(
            "Invalid --input: '" + input + "' (expected SOURCE=PATH, e.g. stack=/data/python)");
      }
      settings =
          settings.with(
              IngestOptions.INPUT_PREFIX + input.substring(0, eq), input.substring(eq + 1));
    }
    settings = settings.with(PrepareOptions.OUTPUT.name(), output);
    settings =
        settings
            .with(PackOptions.SEQ_LEN.name(), seqLen)
            .with(PackOptions.TOKENIZER.name(), tokenizer);
    // Usage errors fail here, before Spark starts.
    PrepareOptions.from(settings);
    IngestOptions.from(settings);
    PreparePipeline.requireDisjointOutput(settings);
    PackPrepareStage pack = PackPrepareStage.from(settings);
    SparkSession spark = SparkSessions.getOrCreate("pipeline data prepare");
    PreparePipeline pipeline =
        PreparePipeline.builder().setSpark(spark).setSettings(settings).optPack(pack).build();
    PrepareSummary summary = pipeline.run();
    System.out.print(JsonFiles.toJson(summary));
    return 0;
  }
}
