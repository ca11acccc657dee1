package org.llamapro.config;

import java.util.Locale;

/** Parses human byte sizes: {@code 5GB}, {@code 512MiB}, {@code 4096}. Decimal and binary units. */
public final class ByteSize {
  private ByteSize() {}

  public static long parse(String what, String text) {
    String value = text.trim().toUpperCase(Locale.ROOT).replace("_", "");
    long multiplier = 1;
    String[][] units = {
      {"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}, {"TIB", "1099511627776"},
      {"KB", "1000"}, {"MB", "1000000"}, {"GB", "1000000000"}, {"TB", "1000000000000"},
      {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}, {"B", "1"}
    };
    for (String[] unit : units) {
      if (value.endsWith(unit[0])) {
        multiplier = Long.parseLong(unit[1]);
        value = value.substring(0, value.length() - unit[0].length()).trim();
        break;
      }
    }
    try {
      double number = Double.parseDouble(value);
      if (number <= 0 || Double.isNaN(number) || Double.isInfinite(number)) {
        throw new NumberFormatException();
      }
      return Math.round(number * multiplier);
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "Invalid " + what + ": '" + text + "' (expected a positive size such as 5GB or 512MiB)",
          e);
    }
  }

  /** The shortest exact binary form: {@code 32MiB}, {@code 1GiB}, or plain bytes. */
  public static String format(long bytes) {
    String[] units = {"TiB", "GiB", "MiB", "KiB"};
    long[] sizes = {1L << 40, 1L << 30, 1L << 20, 1L << 10};
    for (int i = 0; i < units.length; i++) {
      if (bytes >= sizes[i] && bytes % sizes[i] == 0) {
        return bytes / sizes[i] + units[i];
      }
    }
    return Long.toString(bytes);
  }
}
