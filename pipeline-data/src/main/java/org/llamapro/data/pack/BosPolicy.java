package org.llamapro.data.pack;

import java.util.Locale;
import org.llamapro.config.ConfigException;

/** Where BOS (id 1) goes in packed rows. EOS (id 2) always ends every document. */
public enum BosPolicy {
  /** BOS at the start of every document, as LLaMA was pretrained: [BOS] ids EOS. */
  DOCUMENT,
  /** No BOS at all: ids EOS. */
  NONE;

  public static BosPolicy parse(String key, String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "document" -> DOCUMENT;
      case "none" -> NONE;
      default ->
          throw new ConfigException(
              "Invalid " + key + ": '" + value + "' (expected document or none)");
    };
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
