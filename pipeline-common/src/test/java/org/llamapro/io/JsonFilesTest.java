package org.llamapro.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed JSON files: snake_case on disk, strict on read, errors naming the file and the field. */
class JsonFilesTest {
  record Checkpoint(String runId, int stepCount, double loss, List<String> files) {}

  @TempDir Path temp;

  @Test
  void aRecordRoundTripsWithSnakeCaseNames() throws IOException {
    Path file = temp.resolve("state.json");
    Checkpoint written = new Checkpoint("run-1", 120, 2.5, List.of("a.safetensors"));
    JsonFiles.write(file, written);
    assertEquals(written, JsonFiles.read(file, Checkpoint.class, "checkpoint state"));
    String text = Files.readString(file);
    assertTrue(text.contains("\"step_count\" : 120"), text);
    assertTrue(text.endsWith("\n"), text);
  }

  @Test
  void aMissingFieldNamesTheFileAndTheField() throws IOException {
    String message = error("{\"run_id\": \"r\", \"loss\": 1.0, \"files\": []}");
    assertTrue(message.startsWith(file() + ": not a valid checkpoint state"), message);
    assertTrue(message.contains("'step_count'"), message);
  }

  @Test
  void anUnknownFieldNamesTheFileTheFieldAndTheKnownOnes() throws IOException {
    String message =
        error("{\"run_id\": \"r\", \"step_count\": 1, \"loss\": 1.0, \"files\": [], \"stepz\": 3}");
    assertTrue(message.startsWith(file().toString()), message);
    assertTrue(message.contains("unknown field 'stepz'"), message);
    assertTrue(message.contains("step_count"), message);
  }

  @Test
  void aWronglyTypedFieldIsNamed() throws IOException {
    String message =
        error("{\"run_id\": \"r\", \"step_count\": \"many\", \"loss\": 1.0, \"files\": []}");
    assertTrue(message.contains("field 'step_count'"), message);
  }

  @Test
  void malformedJsonAndAMissingFileAreNamed() throws IOException {
    String malformed = error("{\"run_id\": \"r\", ");
    assertTrue(malformed.startsWith(file().toString()), malformed);
    assertTrue(malformed.contains("malformed JSON"), malformed);

    Path absent = temp.resolve("absent.json");
    InvalidFileException missing =
        assertThrows(
            InvalidFileException.class,
            () -> JsonFiles.read(absent, Checkpoint.class, "checkpoint state"));
    assertEquals("Missing checkpoint state: " + absent, missing.getMessage());
  }

  private Path file() {
    return temp.resolve("state.json");
  }

  /** The message reading {@code json} as a checkpoint state fails with. */
  private String error(String json) throws IOException {
    Files.writeString(file(), json);
    return assertThrows(
            InvalidFileException.class,
            () -> JsonFiles.read(file(), Checkpoint.class, "checkpoint state"))
        .getMessage();
  }
}
