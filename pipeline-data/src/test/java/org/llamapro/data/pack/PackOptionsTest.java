package org.llamapro.data.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;

class PackOptionsTest {
  private static PackOptions parse(Map<String, String> values) {
    return PackOptions.from(Settings.of(values));
  }

  private static String error(Map<String, String> values) {
    return assertThrows(ConfigException.class, () -> parse(values)).getMessage();
  }

  @Test
  void defaults() {
    PackOptions options = parse(Map.of());
    assertEquals(4096, options.seqLen());
    assertEquals(BosPolicy.DOCUMENT, options.bos());
    assertEquals(TailPolicy.DROP, options.tail());
    assertEquals(1.0, options.weight("anything"));
    assertEquals(null, options.tokenizer());
  }

  @Test
  void paperWeights() {
    PackOptions options =
        parse(
            Map.of(
                "mix.weights", "stack:1.5, arxiv=1.0", "pack.seq-len", "2048", "pack.tail", "pad"));
    assertEquals(1.5, options.weight("stack"));
    assertEquals(1.0, options.weight("arxiv"));
    assertEquals(2048, options.seqLen());
    assertEquals(TailPolicy.PAD, options.tail());
  }

  @Test
  void badValuesAreNamedWithTheirValue() {
    assertEquals(
        "Invalid pack.seq-len: 1 (must be between 2 and 1048576)",
        error(Map.of("pack.seq-len", "1")));
    assertEquals(
        "Invalid pack.seq-len: 'lots' (expected an integer)",
        error(Map.of("pack.seq-len", "lots")));
    assertEquals(
        "Invalid mix.weights weight for stack: 'abc' (expected a number)",
        error(Map.of("mix.weights", "stack:abc")));
    assertEquals(
        "Invalid mix.weights entry: '1.5' (expected source:weight, e.g. stack:1.5)",
        error(Map.of("mix.weights", "1.5")));
    assertEquals(
        "Invalid mix.weights weight for stack: -1.0 (must be between 0 and 1000)",
        error(Map.of("mix.weights", "stack:-1")));
    assertEquals(
        "Invalid mix.holdout-fraction: 1.0 (must be in [0, 1))",
        error(Map.of("mix.holdout-fraction", "1")));
    assertEquals(
        "Invalid tokenize.bos: 'always' (expected document or none)",
        error(Map.of("tokenize.bos", "always")));
    assertEquals(
        "Invalid pack.tail: 'keep' (expected drop or pad)", error(Map.of("pack.tail", "keep")));
    assertEquals(
        "Invalid pack.shuffle-buckets: -1 (must be 0 for automatic, or 1..65536)",
        error(Map.of("pack.shuffle-buckets", "-1")));
  }

  @Test
  void keysAreDeclaredWithTheirDefaults() {
    assertEquals(java.util.List.of("tokenize", "mix", "pack"), PackOptions.KEYS.prefixes());
    assertEquals(13, PackOptions.KEYS.keys().size());
    assertEquals("32MiB", PackOptions.UNIT_BYTES.defaultText());
    PackOptions built = PackOptions.builder().build();
    assertEquals(PackOptions.SEQ_LEN.defaultValue(), built.seqLen());
    assertEquals(PackOptions.SEED.defaultValue(), built.seed());
    assertEquals(
        "Invalid pack.pad-id: -1 (must be >= 0)",
        assertThrows(ConfigException.class, () -> PackOptions.builder().optPadId(-1).build())
            .getMessage());
  }

  @Test
  void unknownKeysFail() {
    String message = error(Map.of("pack.seqlen", "4096"));
    assertEquals(
        true,
        message.startsWith(
            "Unknown configuration key 'pack.seqlen' (did you mean 'pack.seq-len'?)"),
        message);
  }

  @Test
  void samplingIsStableAndSeeded() {
    // Reproducible outside Java: u = first 8 bytes of SHA-256("holdout:" + id) / 2^64.
    assertEquals(Sampling.heldOut("stack/1", 0.5), Sampling.heldOut("stack/1", 0.5));
    int copies = 0;
    for (int i = 0; i < 1000; i++) {
      copies += Sampling.copies(42, "d" + i, 1.5);
    }
    assertEquals(1500, copies, 4 * Math.sqrt(250));
    assertEquals(2, Sampling.copies(42, "x", 2.0));
    assertEquals(0, Sampling.copies(42, "x", 0.0));
  }
}
