package org.llamapro.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;

class IngestOptionsTest {
  private static String error(Map<String, String> values) {
    return assertThrows(ConfigException.class, () -> IngestOptions.from(Settings.of(values)))
        .getMessage();
  }

  @Test
  void inputsComeFromDottedKeys() {
    IngestOptions options =
        IngestOptions.from(
            Settings.of(Map.of("ingest.input.stack", "/a", "ingest.input.arxiv", "s3a://b/c")));
    assertEquals(Map.of("arxiv", "s3a://b/c", "stack", "/a"), options.inputs());
    assertEquals(0.01, options.maxBadFraction());
  }

  @Test
  void badValuesAreNamed() {
    assertEquals(
        "Invalid ingest.max-bad-fraction: 1.5 (must be in [0, 1])",
        error(Map.of("ingest.input.stack", "/a", "ingest.max-bad-fraction", "1.5")));
    assertEquals(
        "Invalid source name: 'The Stack' (lowercase letters, digits, '-' and '_', e.g."
            + " open-web-math)",
        error(Map.of("ingest.input.The Stack", "/a")));
    assertEquals(
        "No inputs: give at least one --input SOURCE=PATH (or ingest.input.SOURCE = PATH), e.g."
            + " --input stack=/data/the-stack-dedup/data/python",
        error(Map.of()));
  }

  @Test
  void idsNameSourceFileAndPosition() {
    InputFile file =
        new InputFile("arxiv", "s3a://b/arxiv/train/x.jsonl.zst", "train/x.jsonl.zst", 1, 2);
    assertEquals("arxiv/train/x.jsonl.zst#17", file.idOf(17));
    assertEquals(InputFile.Format.JSONL_ZSTD, file.format());
    assertEquals(null, InputFile.formatOf("README.md"));
  }
}
