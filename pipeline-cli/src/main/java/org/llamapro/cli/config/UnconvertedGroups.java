package org.llamapro.cli.config;

import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.llamapro.config.ConfigKey;
import org.llamapro.config.ConfigKeys;
import org.llamapro.config.Settings;
import org.llamapro.data.decontam.DecontamOptions;
import org.llamapro.data.dedupe.DedupeOptions;
import org.llamapro.data.ingest.IngestOptions;
import org.llamapro.data.pack.PackOptions;
import org.llamapro.data.prepare.PrepareOptions;

/**
 * Key groups of the options classes that do not declare a {@code ConfigKeys KEYS} yet, built from
 * their key-name constants so that {@link KnownKeys} can check every command now. Each constant
 * here gives way to the options class's own {@code KEYS} once it declares one (then this class
 * goes); they are not part of the configuration reference.
 */
public final class UnconvertedGroups {
  public static final ConfigKeys PREPARE =
      names("prepare", List.of("prepare"), PrepareOptions.KEYS);
  public static final ConfigKeys INGEST =
      withFamilies("ingest", IngestOptions.knownKeys(Settings.empty()), IngestOptions.INPUT_PREFIX);
  public static final ConfigKeys DEDUPE = names("dedupe", List.of("dedupe"), DedupeOptions.KEYS);
  public static final ConfigKeys DECONTAM =
      withFamilies(
          "decontam",
          DecontamOptions.knownKeys(Settings.empty()),
          DecontamOptions.FIELDS_PREFIX,
          DecontamOptions.ID_FIELD_PREFIX);
  public static final ConfigKeys PACK = names("pack", PackOptions.PREFIXES, PackOptions.KEYS);

  private UnconvertedGroups() {}

  private static ConfigKeys names(String title, List<String> prefixes, Collection<String> names) {
    return ConfigKeys.of(
        title, prefixes, names.stream().map(UnconvertedGroups::key).toArray(ConfigKey<?>[]::new));
  }

  /** A group {@code prefix.*} of {@code names} and the key families {@code prefix.x.<name>}. */
  private static ConfigKeys withFamilies(
      String prefix, Collection<String> names, String... familyPrefixes) {
    return ConfigKeys.of(
        prefix,
        List.of(prefix),
        Stream.concat(
                names.stream().map(UnconvertedGroups::key),
                Stream.of(familyPrefixes).map(UnconvertedGroups::family))
            .toArray(ConfigKey<?>[]::new));
  }

  private static ConfigKey<String> key(String name) {
    return ConfigKey.ofString(name, "", "See the options class.");
  }

  private static ConfigKey<?> family(String prefixWithDot) {
    return ConfigKey.ofMap(
        prefixWithDot.substring(0, prefixWithDot.length() - 1), "See the options class.");
  }
}
