package org.llamapro.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed keys with defaults, groups that refuse typos under their prefixes, and "did you mean". */
class ConfigKeysTest {
  static final ConfigKey<Integer> SEQ_LEN =
      ConfigKey.ofInt("pack.seq-len", 4096, "Tokens per row.");
  static final ConfigKey<Long> UNIT = ConfigKey.ofBytes("pack.unit-bytes", 32L << 20, "Unit size.");
  static final ConfigKey<Double> LR = ConfigKey.ofDouble("pack.lr", 2e-4, "A rate.");
  static final ConfigKey<Boolean> VERIFY = ConfigKey.ofBoolean("pack.verify", false, "Verify.");
  static final ConfigKey<String> TOKENIZER =
      ConfigKey.ofString("tokenize.tokenizer", "", "tokenizer.json.");
  static final ConfigKey<List<String>> WEIGHTS =
      ConfigKey.ofList("mix.weights", List.of("a:1", "b:2"), "Weights.");
  static final ConfigKey<Map<String, String>> INPUTS =
      ConfigKey.ofMap("ingest.input", "One root per source.");
  static final ConfigKeys KEYS =
      ConfigKeys.of(
          "Pack",
          List.of("pack", "tokenize", "mix"),
          SEQ_LEN,
          UNIT,
          LR,
          VERIFY,
          TOKENIZER,
          WEIGHTS);

  @Test
  void typedValuesAndDefaults() {
    Settings settings =
        Settings.of(
            Map.of(
                "pack.seq-len", "2_048",
                "pack.unit-bytes", "1MiB",
                "pack.verify", "yes",
                "mix.weights", "x:1, ,y:3"));
    assertEquals(2048, SEQ_LEN.get(settings));
    assertEquals(1L << 20, UNIT.get(settings));
    assertTrue(VERIFY.get(settings));
    assertEquals(List.of("x:1", "y:3"), WEIGHTS.get(settings));
    assertEquals(2e-4, LR.get(settings));
    assertEquals("", TOKENIZER.get(settings));
    assertEquals(4096, SEQ_LEN.get(Settings.empty()));
  }

  @Test
  void defaultsAreWrittenAsAUserWouldWriteThem() {
    assertEquals("32MiB", UNIT.defaultText());
    assertEquals("a:1,b:2", WEIGHTS.defaultText());
    assertEquals("(none)", TOKENIZER.defaultText());
    assertEquals("(none)", INPUTS.defaultText());
    assertEquals("ingest.input.<name>", INPUTS.displayName());
    assertEquals("4096", SEQ_LEN.defaultText());
  }

  @Test
  void aBadValueNamesTheKeyAndTheValue() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> SEQ_LEN.get(Settings.of(Map.of("pack.seq-len", "4k tokens"))));
    assertEquals("Invalid pack.seq-len: '4k tokens' (expected an integer)", e.getMessage());
    ConfigException bool =
        assertThrows(
            ConfigException.class, () -> VERIFY.get(Settings.of(Map.of("pack.verify", "maybe"))));
    assertTrue(bool.getMessage().contains("pack.verify") && bool.getMessage().contains("maybe"));
  }

  @Test
  void anUnknownKeyUnderAnOwnedPrefixNamesTheClosestKnownKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> KEYS.requireKnown(Settings.of(Map.of("pack.seqlen", "64", "train.lr", "1"))));
    assertTrue(
        e.getMessage()
            .startsWith("Unknown configuration key 'pack.seqlen' (did you mean 'pack.seq-len'?)"),
        e.getMessage());
    assertFalse(
        e.getMessage().contains("train.lr"), "train.* is not this group's: " + e.getMessage());
    KEYS.requireKnown(Settings.of(Map.of("pack.seq-len", "64", "other.key", "1")));
  }

  @Test
  void aKeyFamilyDeclaresEveryKeyUnderIt() {
    ConfigKeys ingest = ConfigKeys.of("Ingest", List.of("ingest"), INPUTS);
    Settings settings =
        Settings.of(Map.of("ingest.input.stack", "/data/python", "ingest.input.arxiv", "/a"));
    assertEquals(Map.of("stack", "/data/python", "arxiv", "/a"), INPUTS.get(settings));
    assertTrue(ingest.declares("ingest.input.stack"));
    assertFalse(ingest.declares("ingest.input"));
    assertFalse(ingest.declares("ingest.inputs.stack"));
    ingest.requireKnown(settings);
    assertThrows(
        ConfigException.class,
        () -> ingest.requireKnown(Settings.of(Map.of("ingest.imput.stack", "/x"))));
  }

  @Test
  void keysAreDeclaredOnceAndInsideTheirPrefixes() {
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConfigKeys.of("Twice", List.of("pack"), SEQ_LEN, SEQ_LEN));
    assertTrue(twice.getMessage().contains("pack.seq-len"), twice.getMessage());
    IllegalArgumentException outside =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConfigKeys.of("Outside", List.of("train"), SEQ_LEN));
    assertTrue(outside.getMessage().contains("pack.seq-len"), outside.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> ConfigKey.ofInt("Pack.SeqLen", 1, "Bad name."));
  }

  @Test
  void closestIsWithinHalfTheNameOrNothing() {
    assertEquals("pack.seq-len", Closest.of("pak.seq-len", List.of("pack.seq-len", "pack.seed")));
    assertEquals("pack.seed", Closest.of("pack.sed", List.of("pack.seq-len", "pack.seed")));
    assertNull(Closest.of("fs.s3a.secret.key", List.of("pack.seq-len", "demo.seed")));
    assertEquals(3, Closest.distance("kitten", "sitting"));
  }
}
