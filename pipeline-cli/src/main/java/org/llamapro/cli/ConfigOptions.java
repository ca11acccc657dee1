package org.llamapro.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  /** Config file overridden by --set; explicit options are applied on top by each command. */
  public Settings resolve() {
    Settings base = configFile == null ? Settings.empty() : Settings.load(configFile);
    return base.overriddenBy(Settings.parseOverrides(overrides));
  }
}
