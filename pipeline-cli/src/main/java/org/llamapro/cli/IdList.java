package org.llamapro.cli;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Token id lists on the command line: {@code 1,450,4996} in, {@code 1 450 4996} out. */
final class IdList {
  private IdList() {}

  static long[] parse(String text) {
    String[] parts = text.trim().split("[,\\s]+");
    long[] ids = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        ids[i] = Long.parseLong(parts[i]);
      } catch (NumberFormatException e) {
        throw new UserInputException(
            "Invalid token id '" + parts[i] + "' in --ids " + text + " (expected e.g. 1,450,4996)");
      }
    }
    return ids;
  }

  static String format(long[] ids) {
    return Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(" "));
  }
}
