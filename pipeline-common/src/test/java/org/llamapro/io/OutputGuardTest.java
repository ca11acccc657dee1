package org.llamapro.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An output never overlaps an input, and --overwrite replaces only what the command wrote. */
class OutputGuardTest {
  @TempDir Path temp;

  @Test
  void anOutputEqualToAnInputIsRefused() throws IOException {
    Path model = Files.createDirectories(temp.resolve("model"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                OutputGuard.requireDisjoint(temp.resolve("x/../model"), Map.of("--model", model)));
    assertTrue(e.getMessage().contains("same directory as --model"), e.getMessage());
  }

  @Test
  void anOutputAroundAnInputIsRefused() throws IOException {
    Path model = Files.createDirectories(temp.resolve("x/inner/model"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputGuard.requireDisjoint(temp.resolve("x"), Map.of("--model", model)));
    assertTrue(e.getMessage().contains("contains --model " + model), e.getMessage());
    assertTrue(e.getMessage().contains("would delete the input"), e.getMessage());
  }

  @Test
  void anOutputInsideAnInputIsRefused() throws IOException {
    Path model = Files.createDirectories(temp.resolve("model"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                OutputGuard.requireDisjoint(
                    model.resolve("expanded/out"), Map.of("--model", model)));
    assertTrue(e.getMessage().contains("is inside --model"), e.getMessage());
  }

  @Test
  void siblingsWithACommonNamePrefixAreDisjoint() throws IOException {
    Path model = Files.createDirectories(temp.resolve("model"));
    OutputGuard.requireDisjoint(temp.resolve("model-expanded"), Map.of("--model", model));
  }

  @Test
  void theMessageNamesTheOptionThatSetTheOutput() throws IOException {
    Path corpus = Files.createDirectories(temp.resolve("repo/demo/corpus"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                OutputGuard.requireDisjoint(
                    "--workdir", temp.resolve("repo"), Map.of("demo.corpus", corpus)));
    assertTrue(
        e.getMessage().startsWith("--workdir " + temp.resolve("repo") + " contains demo.corpus"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("choose another --workdir"), e.getMessage());
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
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputGuard.requireReplaceable(out, false, "expansion.json"));
    assertTrue(e.getMessage().contains("use --overwrite"), e.getMessage());
    OutputGuard.requireReplaceable(out, true, "expansion.json");
  }

  @Test
  void overwriteIsRefusedWithoutTheCommandsMarker() throws IOException {
    Path out = Files.createDirectories(temp.resolve("home"));
    Files.writeString(out.resolve("thesis.tex"), "years of work");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputGuard.requireReplaceable(out, true, "expansion.json"));
    assertTrue(e.getMessage().contains("Refusing to --overwrite " + out), e.getMessage());
    assertTrue(e.getMessage().contains("no expansion.json"), e.getMessage());
  }

  @Test
  void aFileIsNotAnOutputDirectory() throws IOException {
    Path file = Files.writeString(temp.resolve("file"), "x");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputGuard.requireReplaceable(file, true, "expansion.json"));
    assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
  }
}
