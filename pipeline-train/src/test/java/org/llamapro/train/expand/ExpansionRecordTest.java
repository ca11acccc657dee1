package org.llamapro.train.expand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.io.InvalidFileException;

class ExpansionRecordTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static ExpansionRecord record() {
    return new ExpansionRecord(
        ExpansionRecord.FORMAT,
        "/models/base",
        4,
        5,
        Placement.INTERLEAVE,
        Initialization.IDENTITY,
        7,
        List.of(4),
        List.of(0, 1, 2, 3, 3),
        Map.of(
            "model.safetensors", new ExpansionRecord.FileDigest(120, "ab12"),
            "config.json", new ExpansionRecord.FileDigest(30, "cd34")));
  }

  @Test
  void writesTheFieldNamesAndValuesToolsReadAndReadsThemBack() throws IOException {
    record().write(dir);
    JsonNode json = JSON.readTree(dir.resolve(ExpansionRecord.FILE_NAME).toFile());
    assertEquals(
        List.of(
            "format",
            "source",
            "old_layers",
            "new_layers",
            "placement",
            "init",
            "seed",
            "new_blocks",
            "block_sources",
            "files"),
        iterate(json.fieldNames()));
    assertEquals("llama-pro-expansion/1", json.get("format").textValue());
    assertEquals("interleave", json.get("placement").textValue());
    assertEquals("identity", json.get("init").textValue());
    assertEquals(4, json.get("new_blocks").get(0).intValue());
    assertEquals(
        List.of("config.json", "model.safetensors"), iterate(json.get("files").fieldNames()));
    assertEquals(120, json.get("files").get("model.safetensors").get("bytes").longValue());
    assertEquals("ab12", json.get("files").get("model.safetensors").get("sha256").textValue());
    assertEquals(record(), ExpansionRecord.read(dir));
  }

  @Test
  void missingFieldIsNamedWithTheFile() throws IOException {
    ObjectNode json = written();
    json.remove("new_blocks");
    Files.writeString(dir.resolve(ExpansionRecord.FILE_NAME), json.toString());
    InvalidFileException e =
        assertThrows(InvalidFileException.class, () -> ExpansionRecord.read(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("expansion.json").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'new_blocks'"), e.getMessage());
  }

  @Test
  void unknownFieldIsNamedWithTheFile() throws IOException {
    ObjectNode json = written();
    json.put("new_blokcs", 3);
    Files.writeString(dir.resolve(ExpansionRecord.FILE_NAME), json.toString());
    InvalidFileException e =
        assertThrows(InvalidFileException.class, () -> ExpansionRecord.read(dir));
    assertTrue(e.getMessage().contains("expansion.json"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown field 'new_blokcs'"), e.getMessage());
  }

  @Test
  void otherFormatAndBadEnumAreRefused() throws IOException {
    ObjectNode json = written();
    json.put("format", "llama-pro-expansion/9");
    Files.writeString(dir.resolve(ExpansionRecord.FILE_NAME), json.toString());
    InvalidFileException format =
        assertThrows(InvalidFileException.class, () -> ExpansionRecord.read(dir));
    assertTrue(
        format.getMessage().contains("unknown format 'llama-pro-expansion/9'"),
        format.getMessage());
    json = written();
    json.put("init", "zeros");
    Files.writeString(dir.resolve(ExpansionRecord.FILE_NAME), json.toString());
    InvalidFileException init =
        assertThrows(InvalidFileException.class, () -> ExpansionRecord.read(dir));
    assertTrue(init.getMessage().contains("'init'"), init.getMessage());
    assertTrue(init.getMessage().contains("expected identity, copy or random"), init.getMessage());
  }

  @Test
  void absentRecordSaysTheModelWasNotExpanded() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ExpansionRecord.read(dir));
    assertTrue(e.getMessage().contains("not the output of `pipeline expand`"), e.getMessage());
  }

  private ObjectNode written() throws IOException {
    record().write(dir);
    return (ObjectNode) JSON.readTree(dir.resolve(ExpansionRecord.FILE_NAME).toFile());
  }

  private static List<String> iterate(java.util.Iterator<String> names) {
    List<String> out = new java.util.ArrayList<>();
    names.forEachRemaining(out::add);
    return out;
  }
}
