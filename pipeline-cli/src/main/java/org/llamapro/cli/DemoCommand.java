package org.llamapro.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.llamapro.cli.demo.DemoOptions;
import org.llamapro.cli.demo.DemoRun;
import org.llamapro.cli.demo.DemoSummary;
import org.llamapro.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline demo}: the whole method in miniature, on embedded defaults. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "LLaMA Pro in miniature on the bundled corpus (Spark local mode, CPU, a tiny model):",
      "prepare data, pre-train a base model, expand it, train only the new block on code and",
      "math next to a full fine-tune, then compare general and domain perplexity in a report."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--workdir",
      paramLabel = "DIR",
      description = "Where everything goes (default: demo-work/ in the repository).")
  Path workdir;

  @Option(names = "--fresh", description = "Start over instead of reusing finished stages.")
  boolean fresh;

  @Option(
      names = "--conf-dir",
      paramLabel = "DIR",
      description = "The demo's configuration files (default: conf/demo).")
  Path confDirectory;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a demo.* key (e.g. demo.pretrain.steps=20) or pass a spark.* one to Spark.")
  java.util.List<String> overrides = new java.util.ArrayList<>();

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    Path home = Path.of(System.getProperty("pipeline.home", ".")).toAbsolutePath().normalize();
    Path conf = confDirectory != null ? confDirectory : home.resolve("conf/demo");
    Settings settings =
        ConfigOptions.check(
            Settings.load(conf.resolve("demo.properties"))
                .overriddenBy(Settings.parseOverrides(overrides)),
            DemoOptions.KEYS);
    Path work = workdir != null ? workdir : home.resolve("demo-work");
    DemoOptions options = DemoOptions.from(settings);
    Path corpus = resolve(home, options.corpus());
    if (!Files.isDirectory(corpus)) {
      throw new UserInputException(
          "Demo corpus not found: " + corpus + " (run from the repository, or set demo.corpus)");
    }
    DemoSummary summary = new DemoRun(options, work, conf, corpus, fresh).run();
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.println();
    System.out.println(summary.sentence());
    System.out.println(
        String.format(
            Locale.ROOT,
            "Identity expansion check: largest logit difference %s. Report: %s. Total time: %dm %02ds.",
            summary.expansionDifference(),
            work.resolve("report.md"),
            (int) seconds / 60,
            (int) seconds % 60));
    return 0;
  }

  /** A relative path as given if it exists from here, else against the repository. */
  static Path resolve(Path home, String path) {
    Path p = Path.of(path);
    if (p.isAbsolute() || Files.exists(p)) {
      return p.toAbsolutePath().normalize();
    }
    return home.resolve(p).toAbsolutePath().normalize();
  }
}
