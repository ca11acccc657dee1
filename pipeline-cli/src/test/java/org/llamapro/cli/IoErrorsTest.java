package org.llamapro.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** I/O failures end like other input errors: one "error:" line, exit 2, no stack trace. */
class IoErrorsTest {
  @TempDir Path temp;

  @Test
  void anUnreadableFileIsOneLineAndExitTwo() throws IOException {
    Path file = temp.resolve("latin1.txt");
    Files.write(file, new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n'});
    CliRun run = CliRun.of("tokenize", "--file", file.toString());
    assertEquals(2, run.exitCode(), run.err());
    assertFalse(run.err().contains("\tat "), "a stack trace on the terminal: " + run.err());
    assertEquals(
        "error: Cannot read " + file + " as UTF-8: Not valid UTF-8 text (MalformedInputException)",
        run.err().strip());
  }

  @Test
  void ioFailuresInsideSparkAndHadoopExceptionsAreFound() {
    Exception unreachable =
        new SparkException(
            "Job aborted due to stage failure",
            new UncheckedIOException(
                "Cannot list s3a://no-such-bucket/corpus",
                new UnknownHostException("no-such-bucket.s3.amazonaws.com")));
    assertEquals(
        "Cannot list s3a://no-such-bucket/corpus: Cannot reach host"
            + " no-such-bucket.s3.amazonaws.com (check the URI, the network and the credentials)",
        PipelineMain.userMessage(unreachable));
    assertEquals(
        "Permission denied: /runs/base/state.json",
        PipelineMain.userMessage(
            new IllegalStateException(
                "resume failed", new AccessDeniedException("/runs/base/state.json"))));
    assertEquals(
        "first line ...", PipelineMain.userMessage(new IOException("first line\n  second line\n")));
  }

  @Test
  void aBugIsNotDisguisedAsAnInputError() {
    assertNull(PipelineMain.userMessage(new NullPointerException("oops")));
    assertNull(PipelineMain.userMessage(new IllegalStateException("invariant broken")));
  }
}
