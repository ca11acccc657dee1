package org.llamapro.cli.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.llamapro.config.Settings;

/**
 * The demo's own settings ({@code demo.*} in {@code conf/demo/demo.properties}); the stages' own
 * settings live in the other files of {@code conf/demo/}, as a user would pass them to each
 * command.
 */
public record DemoOptions(
    Path workdir,
    Path confDirectory,
    Path corpus,
    int layers,
    int hiddenSize,
    int intermediateSize,
    int heads,
    int expandedLayers,
    int seqLen,
    int pretrainSteps,
    int domainSteps,
    long evalRows,
    long seed,
    boolean fresh) {
  public static final List<String> GENERAL_SOURCES = List.of("general-english");

  public static final Set<String> KEYS =
      Set.of(
          "demo.corpus",
          "demo.model.layers",
          "demo.model.hidden-size",
          "demo.model.intermediate-size",
          "demo.model.heads",
          "demo.expand.layers",
          "demo.seq-len",
          "demo.pretrain.steps",
          "demo.domain.steps",
          "demo.eval.rows",
          "demo.seed");

  public static DemoOptions from(
      Settings settings, Path workdir, Path confDirectory, Path home, boolean fresh) {
    settings.requireKnown(List.of("demo"), KEYS);
    Path corpus = resolve(home, settings.getString("demo.corpus", "demo/corpus"));
    if (!Files.isDirectory(corpus)) {
      throw new IllegalArgumentException(
          "Demo corpus not found: " + corpus + " (run from the repository, or set demo.corpus)");
    }
    DemoOptions options =
        new DemoOptions(
            workdir,
            confDirectory,
            corpus,
            settings.getInt("demo.model.layers", 4),
            settings.getInt("demo.model.hidden-size", 64),
            settings.getInt("demo.model.intermediate-size", 172),
            settings.getInt("demo.model.heads", 4),
            settings.getInt("demo.expand.layers", 5),
            settings.getInt("demo.seq-len", 128),
            settings.getInt("demo.pretrain.steps", 120),
            settings.getInt("demo.domain.steps", 50),
            settings.getLong("demo.eval.rows", 64),
            settings.getLong("demo.seed", 1234),
            fresh);
    positive("demo.model.layers", options.layers);
    positive("demo.seq-len", options.seqLen);
    positive("demo.pretrain.steps", options.pretrainSteps);
    positive("demo.domain.steps", options.domainSteps);
    if (options.expandedLayers <= options.layers) {
      throw new IllegalArgumentException(
          "Invalid demo.expand.layers: "
              + options.expandedLayers
              + " (must be > demo.model.layers "
              + options.layers
              + ")");
    }
    return options;
  }

  static Path resolve(Path home, String path) {
    Path p = Path.of(path);
    if (p.isAbsolute() || Files.exists(p)) {
      return p.toAbsolutePath().normalize();
    }
    return home.resolve(p).toAbsolutePath().normalize();
  }

  private static void positive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("Invalid " + key + ": " + value + " (must be > 0)");
    }
  }
}
