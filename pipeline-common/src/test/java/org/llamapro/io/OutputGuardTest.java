package org.llamapro.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** An output never overlaps an input, and --overwrite replaces only what the command wrote. */
class OutputGuardTest {
  @TempDir Path temp;

  @Test
  void anOutputEqualToAnInputIsRefused() throws IOException {
    Path model = Files.createDirectories(temp.resolve("model"));
    String message = refusal(() -> disjoint(temp.resolve("x/../model"), model));
    assertContains(message, "same directory as --model");
  }

  @Test
  void anOutputAroundAnInputIsRefused() throws IOException {
    Path model = Files.createDirectories(temp.resolve("x/inner/model"));
    String message = refusal(() -> disjoint(temp.resolve("x"), model));
    assertContains(message, "contains --model " + model, "would delete the input");
  }

  @Test
  void anOutputInsideAnInputIsRefused() throws IOException {
    Path model = Files.createDirectories(temp.resolve("model"));
    assertContains(
        refusal(() -> disjoint(model.resolve("expanded/out"), model)), "is inside --model");
  }

  @Test
  void siblingsWithACommonNamePrefixAreDisjoint() throws IOException {
    disjoint(temp.resolve("model-expanded"), Files.createDirectories(temp.resolve("model")));
  }

  @Test
  void theMessageNamesTheOptionThatSetTheOutput() throws IOException {
    Path corpus = Files.createDirectories(temp.resolve("repo/demo/corpus"));
    Path repo = temp.resolve("repo");
    String message =
        refusal(
            () -> OutputGuard.requireDisjoint("--workdir", repo, Map.of("demo.corpus", corpus)));
    assertTrue(message.startsWith("--workdir " + repo + " contains demo.corpus"), message);
    assertTrue(message.endsWith("choose another --workdir"), message);
  }

  @Test
  void anAbsentOrEmptyOutputIsReplaceable() throws IOException {
    OutputGuard.requireReplaceable(temp.resolve("absent"), false, "expansion.json");
    OutputGuard.requireReplaceable(
        Files.createDirectories(temp.resolve("empty")), false, "expansion.json");
  }

  @Test
  void aNonEmptyOutputNeedsOverwrite() throws IOException {
    Path out = Files.createDirectories(temp.resolve("out"));
    Files.writeString(out.resolve("expansion.json"), "{}");
    String message = refusal(() -> OutputGuard.requireReplaceable(out, false, "expansion.json"));
    assertContains(message, "use --overwrite");
    OutputGuard.requireReplaceable(out, true, "expansion.json");
  }

  @Test
  void overwriteIsRefusedWithoutTheCommandsMarker() throws IOException {
    Path out = Files.createDirectories(temp.resolve("home"));
    Files.writeString(out.resolve("thesis.tex"), "years of work");
    String message = refusal(() -> OutputGuard.requireReplaceable(out, true, "expansion.json"));
    assertContains(message, "Refusing to --overwrite " + out, "no expansion.json");
  }

  @Test
  void aFileIsNotAnOutputDirectory() throws IOException {
    Path file = Files.writeString(temp.resolve("file"), "x");
    String message = refusal(() -> OutputGuard.requireReplaceable(file, true, "expansion.json"));
    assertContains(message, "is not a directory");
  }

  private static void disjoint(Path output, Path model) {
    OutputGuard.requireDisjoint(output, Map.of("--model", model));
  }

  private static String refusal(Executable action) {
    return assertThrows(IllegalArgumentException.class, action).getMessage();
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
    }
  }
}
