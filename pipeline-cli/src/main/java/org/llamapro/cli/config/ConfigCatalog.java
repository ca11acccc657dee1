package org.llamapro.cli.config;

import java.util.List;
import org.llamapro.cli.demo.DemoOptions;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.data.decontam.DecontamOptions;
import org.llamapro.data.dedupe.DedupeOptions;
import org.llamapro.data.ingest.IngestOptions;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.prepare.PrepareOptions;
import org.llamapro.train.allreduce.AllReduceConfig;
import org.llamapro.train.spark.SparkTrainSettings;
import org.llamapro.train.trainer.OptimizerSettings;
import org.llamapro.train.trainer.TrainConfig;

/**
 * Every configuration key group of the pipeline, in the order of {@code docs/configuration.md},
 * which {@link #reference()} generates. An options class that declares a {@code ConfigKeys KEYS}
 * joins the reference with one line in {@link #GROUPS}.
 */
public final class ConfigCatalog {
  /** The documented groups; every options class's {@code KEYS}. */
  public static final List<ConfigKeys> GROUPS =
      List.of(
          PrepareOptions.KEYS,
          IngestOptions.KEYS,
          DedupeOptions.KEYS,
          DecontamOptions.KEYS,
          PackOptions.KEYS,
          TrainConfig.KEYS,
          OptimizerSettings.KEYS,
          AllReduceConfig.KEYS,
          SparkTrainSettings.KEYS,
          DemoOptions.KEYS);

  /** The command that regenerates the committed reference. */
  public static final String REGENERATE =
      "bin/pipeline config-reference --output docs/configuration.md";

  private ConfigCatalog() {}

  /** {@code docs/configuration.md}: resolution order, pass-through namespaces, then every key. */
  public static String reference() {
    StringBuilder md = new StringBuilder();
    md.append("# Configuration reference\n\n");
    md.append("<!-- Generated from the key declarations by `")
        .append(REGENERATE)
        .append("`; do not edit. -->\n\n");
    md.append(
        """
        Every setting is a dotted key such as `pack.seq-len`. Commands with settings take
        `--config FILE` (a Java properties file, `key = value`; examples in `conf/`) and any number
        of `--set key=value`; `bin/pipeline demo` reads `conf/demo/` (`--conf-dir`) and `--set`.

        ## How a value is resolved

        Highest first:

        1. an explicit command-line option, where the command has one (`--seq-len 2048` is
           `pack.seq-len`);
        2. `--set key=value`;
        3. the `--config` file;
        4. the default below.

        A key the command does not read is an error naming the key and the closest known one
        (`--set pak.seq-len=64` fails with "did you mean 'pack.seq-len'?"), so a typo never
        silently falls back to a default; that error never shows the value, which may be a
        secret. A malformed value is an error naming the key, the value and what was expected.

        ## Pass-through namespaces

        Keys in these namespaces are not declared here; every command accepts them and hands them
        on unchanged, the way `spark-submit --conf` does (they apply to the Spark session the
        command starts, and win over the same key given to spark-submit):

        | namespace | goes to | example |
        |---|---|---|
        | `spark.*` | the Spark session's configuration | `spark.sql.shuffle.partitions=64` |
        | `spark.hadoop.*` | the Hadoop filesystems (`s3a://`, `hdfs://`), as the key without `spark.hadoop.` | `spark.hadoop.fs.s3a.endpoint=http://minio:9000` |

        Hadoop keys given without the prefix (`fs.s3a.endpoint`) are refused with a hint to add
        `spark.hadoop.`. Prefer the default credential chain (environment, instance profile) to
        secrets in configuration files.
        """);
    for (ConfigKeys group : GROUPS) {
      md.append("\n## ").append(group.title()).append("\n\n");
      md.append("Keys under ")
          .append(String.join(", ", group.prefixes().stream().map(p -> "`" + p + ".*`").toList()))
          .append(".\n\n");
      md.append("| key | type | default | description |\n");
      md.append("|---|---|---|---|\n");
      for (ConfigKey<?> key : group.keys()) {
        String defaultText = key.defaultText();
        md.append("| `")
            .append(key.displayName())
            .append("` | ")
            .append(key.type())
            .append(" | ")
            .append(defaultText.equals("(none)") ? defaultText : "`" + cell(defaultText) + "`")
            .append(" | ")
            .append(cell(key.description()))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
