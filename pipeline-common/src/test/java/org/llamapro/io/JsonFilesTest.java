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
    Path file = temp.resolve("state.json");
    Files.writeString(file, "{\"run_id\": \"r\", \"loss\": 1.0, \"files\": []}");
    InvalidFileException e =
        assertThrows(
            InvalidFileException.class,
            () -> JsonFiles.read(file, Checkpoint.class, "checkpoint state"));
    assertTrue(e.getMessage().startsWith(file + ": not a valid checkpoint state"), e.getMessage());
    assertTrue(e.getMessage().contains("'step_count'"), e.getMessage());
  }

  @Test
  void anUnknownFieldNamesTheFileTheFieldAndTheKnownOnes() throws IOException {
    Path file = temp.resolve("state.json");
    Files.writeString(
        file, "{\"run_id\": \"r\", \"step_count\": 1, \"loss\": 1.0, \"files\": [], \"stepz\": 3}");
    InvalidFileException e =
        assertThrows(
            InvalidFileException.class,
            () -> JsonFiles.read(file, Checkpoint.class, "checkpoint state"));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("unknown field 'stepz'"), e.getMessage());
    assertTrue(e.getMessage().contains("step_count"), e.getMessage());
  }

  @Test
  void aWronglyTypedFieldIsNamed() throws IOException {
    Path file = temp.resolve("state.json");
    Files.writeString(
        file, "{\"run_id\": \"r\", \"step_count\": \"many\", \"loss\": 1.0, \"files\": []}");
    InvalidFileException e =
        assertThrows(
            InvalidFileException.class,
            () -> JsonFiles.read(file, Checkpoint.class, "checkpoint state"));
    assertTrue(e.getMessage().contains("field 'step_count'"), e.getMessage());
  }

  @Test
  void malformedJsonAndAMissingFileAreNamed() throws IOException {
    Path file = temp.resolve("state.json");
    Files.writeString(file, "{\"run_id\": \"r\", ");
    InvalidFileException malformed =
        assertThrows(
            InvalidFileException.class,
            () -> JsonFiles.read(file, Checkpoint.class, "checkpoint state"));
    assertTrue(malformed.getMessage().startsWith(file.toString()), malformed.getMessage());
    assertTrue(malformed.getMessage().contains("malformed JSON"), malformed.getMessage());

    Path absent = temp.resolve("absent.json");
    InvalidFileException missing =
        assertThrows(
            InvalidFileException.class,
            () -> JsonFiles.read(absent, Checkpoint.class, "checkpoint state"));
    assertEquals("Missing checkpoint state: " + absent, missing.getMessage());
  }
}
