package org.llamapro.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.llamapro.cli.config.KnownKeys;
import org.llamapro.cli.config.SparkPassThrough;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --set key=value}, shared by every command that has settings. */
public final class ConfigOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration file (Java properties, dotted keys); see conf/.")
  Path configFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one configuration key; repeatable. Wins over --config.")
  List<String> overrides = new ArrayList<>();

  /**
   * Config file overridden by --set, checked against the key groups the command reads ({@link
   * KnownKeys}: an unknown key is an error), with {@code spark.*} handed to Spark. Explicit options
   * are applied on top by each command.
   */
  public Settings resolve(ConfigKeys... groups) {
    Settings base = configFile == null ? Settings.empty() : Settings.load(configFile);
    return check(base.overriddenBy(Settings.parseOverrides(overrides)), groups);
  }

  /** Refuses keys none of {@code groups} declares, and hands {@code spark.*} to Spark. */
  static Settings check(Settings settings, ConfigKeys... groups) {
    KnownKeys.require(settings, List.of(groups));
    SparkPassThrough.apply(settings);
    return settings;
  }
}
