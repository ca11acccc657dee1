package org.llamapro.tools.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusWritersTest {
  @TempDir Path temp;

  @Test
  void jsonlZstIsOneCompleteZstdFrameOfOneLinePerDocumentAndNoTemporaryIsLeft() throws Exception {
    CorpusFile file = new CorpusFile("proof-pile-2/arxiv/train/arxiv_000.jsonl.zst");
    file.docs().add(new JsonDoc("first document", Map.of("id", 1)));
    file.docs().add(new JsonDoc("second, with ünïcode", Map.of("id", 2)));
    Path target = temp.resolve("out").resolve("arxiv_000.jsonl.zst");

    CorpusWriters.writeJsonlZst(file, target);

    List<String> lines;
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                new ZstdInputStream(Files.newInputStream(target)), StandardCharsets.UTF_8))) {
      lines = reader.lines().toList();
    }
    assertEquals(
        List.of(
            "{\"text\":\"first document\",\"meta\":{\"id\":1}}",
            "{\"text\":\"second, with ünïcode\",\"meta\":{\"id\":2}}"),
        lines);
    try (Stream<Path> siblings = Files.list(target.getParent())) {
      assertTrue(siblings.allMatch(target::equals), "only the target is left");
    }
  }
}
