package org.llamapro.data.pack;

import java.util.Locale;
import org.llamapro.config.ConfigException;

/** What happens to the last, partial row of each packing unit. */
public enum TailPolicy {
  /** The partial row is not written; its tokens are counted as dropped. */
  DROP,
  /** The partial row is filled up with the pad id; padding tokens are counted. */
  PAD;

  public static TailPolicy parse(String key, String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "drop" -> DROP;
      case "pad" -> PAD;
      default ->
          throw new ConfigException("Invalid " + key + ": '" + value + "' (expected drop or pad)");
    };
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
