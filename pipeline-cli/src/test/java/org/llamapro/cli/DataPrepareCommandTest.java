package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors of {@code data prepare}: exit code 2 and a message, before Spark starts. */
class DataPrepareCommandTest {
  private static String[] run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = PipelineMain.execute(args);
      return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void missingOutputIsAUsageError() {
    String[] result = run("data", "prepare", "--input", "stack=/data/python");
    assertEquals("2", result[0]);
    assertTrue(
        result[1].contains(
            "error: Missing output directory: give --output DIR (or prepare.output)"),
        result[1]);
  }

  @Test
  void malformedInputIsAUsageError() {
    String[] result = run("data", "prepare", "--input", "stack", "--output", "/tmp/out");
    assertEquals("2", result[0]);
    assertTrue(
        result[1].contains(
            "error: Invalid --input: 'stack' (expected SOURCE=PATH, e.g. stack=/data/python)"),
        result[1]);
  }

  @Test
  void noInputIsAUsageError() {
    String[] result = run("data", "prepare", "--output", "/tmp/out");
    assertEquals("2", result[0]);
    assertTrue(
        result[1].contains("error: No inputs: give at least one --input SOURCE=PATH"), result[1]);
  }

  @Test
  void outputAroundAnInputIsRefusedBeforeSparkStarts(@TempDir Path temp) throws Exception {
    Path input = temp.resolve("corpus/python");
    Files.createDirectories(input);
    Files.writeString(input.resolve("part-0.jsonl"), "{\"text\": \"x = 1\"}\n");
    String[] result =
        run("data", "prepare", "--input", "stack=" + input, "--output", temp.toString());
    assertEquals("2", result[0]);
    assertTrue(
        result[1].contains(
            "error: --output "
                + temp
                + " contains --input stack "
                + input
                + ": replacing the output would delete the input; choose another --output"),
        result[1]);
    assertFalse(Files.exists(temp.resolve("_progress")));
  }
}
