package org.llamapro.train.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.io.InvalidFileException;

/** The trainer's typed files: round trips, and strict reading of unknown or missing fields. */
class TrainerFilesTest {
  @TempDir Path temp;

  private static final TrainingData.Description DATA =
      new TrainingData.Description("memory", "3", 16, "ab12", 97);

  private static RunFile runFile() {
    return new RunFile(
        Map.of("train.steps", "6"),
        Map.of("train.steps", "6"),
        DATA,
        "/models/expanded",
        "blocks [1, 3]",
        List.of("model.layers.1.mlp.down_proj.weight"),
        4096,
        "cpu()",
        "float32",
        "2024-01-01T00:00:00Z");
  }

  private static CheckpointState state() {
    return new CheckpointState(
        5,
        1.0,
        2,
        new DataCursor(1, 8),
        new CheckpointState.Rng(1234),
        DATA,
        2,
        Map.of("train.steps", "6"),
        6,
        Map.of(RunCheckpoint.WEIGHTS, "00ff"));
  }

  @Test
  void runFileRoundTripsWithItsOnDiskNames() throws Exception {
    runFile().write(temp);
    String text = Files.readString(temp.resolve(RunFile.FILE_NAME));
    for (String field :
        List.of(
            "\"config\"",
            "\"identity\"",
            "\"trainable_tensors\"",
            "\"trainable_parameters\"",
            "\"tokenizer_sha256\"",
            "\"seq_len\"",
            "\"vocab_size\"")) {
      assertTrue(text.contains(field), field + " in " + text);
    }
    assertEquals(runFile(), RunFile.read(temp));
    assertEquals(3, RunFile.read(temp).pinnedVersion());
  }

  @Test
  void unknownFieldInRunFileIsNamedWithTheFile() throws Exception {
    runFile().write(temp);
    Path file = temp.resolve(RunFile.FILE_NAME);
    Files.writeString(
        file, Files.readString(file).replace("\"model\"", "\"modle\" : 1,\n  \"model\""));
    InvalidFileException e = assertThrows(InvalidFileException.class, () -> RunFile.read(temp));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("unknown field 'modle'"), e.getMessage());
  }

  @Test
  void missingFieldInCheckpointStateIsNamedWithTheFile() throws Exception {
    state().write(temp);
    assertEquals(state(), CheckpointState.read(temp));
    Path file = temp.resolve(CheckpointState.FILE_NAME);
    String text = Files.readString(file).replaceAll("\"loss_scale\" : [^,]+,", "");
    Files.writeString(file, text);
    InvalidFileException e =
        assertThrows(InvalidFileException.class, () -> CheckpointState.read(temp));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'loss_scale'"), e.getMessage());
  }

  @Test
  void exportRecordRoundTripsAndRefusesUnknownFields() throws Exception {
    ExportRecord record =
        new ExportRecord("/runs/a", 6, "/models/expanded", List.of("x.weight"), DATA, null);
    record.write(temp);
    assertEquals(record, ExportRecord.read(temp));
    Path file = temp.resolve(ExportRecord.FILE_NAME);
    Files.writeString(
        file, Files.readString(file).replace("\"step\"", "\"steps\" : 1,\n  \"step\""));
    InvalidFileException e =
        assertThrows(InvalidFileException.class, () -> ExportRecord.read(temp));
    assertTrue(e.getMessage().contains("unknown field 'steps'"), e.getMessage());
  }

  @Test
  void metricsLinesRoundTripAndAMalformedLineNamesItsNumber() throws Exception {
    try (MetricsLog log = MetricsLog.open(temp, 0)) {
      log.write(
          MetricsLine.Train.of(
              new StepResult(1, 2.5, 1e-3, 0.7, 1.0, false, 64, 0.08, 0.01),
              64,
              0.1,
              0.01,
              640,
              0.2));
      log.write(MetricsLine.Eval.of(1, 2.4));
      log.write(
          MetricsLine.Train.of(
              new StepResult(2, Double.NaN, 1e-3, Double.POSITIVE_INFINITY, 0.5, true, 64, 0.08, 0),
              64,
              0.1,
              0.01,
              640,
              0.2));
    }
    Path file = temp.resolve(MetricsLog.FILE_NAME);
    List<String> text = Files.readAllLines(file);
    assertTrue(text.get(0).startsWith("{\"kind\":\"train\",\"step\":1,\"loss\":2.5"), text.get(0));
    List<MetricsLine> lines = MetricsLog.read(file);
    assertEquals(3, lines.size());
    assertEquals(2.4, ((MetricsLine.Eval) lines.get(1)).valLoss());
    // JSON has no NaN: a non-finite number is null and named beside it.
    assertFalse(text.get(2).contains("NaN") || text.get(2).contains("Infinity"), text.get(2));
    MetricsLine.Train skipped = (MetricsLine.Train) lines.get(2);
    assertNull(skipped.loss());
    assertNull(skipped.gradNorm());
    assertEquals(List.of("loss", "grad_norm"), skipped.nonFinite());
    Files.writeString(
        file,
        text.get(0) + "\n" + text.get(1).replace("\"val_ppl\"", "\"val_pp\":1,\"val_ppl\"") + "\n");
    InvalidFileException e = assertThrows(InvalidFileException.class, () -> MetricsLog.read(file));
    assertTrue(e.getMessage().contains(file + " line 2"), e.getMessage());
    assertTrue(e.getMessage().contains("'val_pp'"), e.getMessage());
  }
}
