package org.llamapro.data.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;

class DedupeOptionsTest {
  private static String error(Map<String, String> values) {
    return assertThrows(ConfigException.class, () -> DedupeOptions.from(Settings.of(values)))
        .getMessage();
  }

  @Test
  void defaultsAreBigCodeShinglesWith32By8Bands() {
    DedupeOptions options = DedupeOptions.from(Settings.empty());
    assertEquals(32, options.bands());
    assertEquals(8, options.rows());
    assertEquals(256, options.minHasher().numHashes());
    assertEquals(0.7, options.threshold());
    assertEquals(
        "minhash-v1 shingle=word ngram=5 lowercase=true num-hashes=256 seed=42"
            + " normalize=[LINE_ENDINGS, TRAILING_WHITESPACE]",
        options.signatureParameters());
  }

  @Test
  void bandsTimesRowsMustFitTheSignature() {
    assertEquals(
        "Invalid LSH banding: dedupe.near.bands=26 x dedupe.near.rows=10 = 260 exceeds"
            + " dedupe.near.num-hashes=256",
        error(Map.of("dedupe.near.bands", "26", "dedupe.near.rows", "10")));
  }

  @Test
  void badValuesAreNamed() {
    assertEquals(
        "Invalid dedupe.near.threshold: 1.5 (must be in (0, 1])",
        error(Map.of("dedupe.near.threshold", "1.5")));
    assertEquals(
        "Invalid dedupe.near.shingle: 'token' (expected word or char)",
        error(Map.of("dedupe.near.shingle", "token")));
    assertEquals(
        "Invalid dedupe.keep.order: 'forks' (expected any of permissive-license, stars, id)",
        error(Map.of("dedupe.keep.order", "stars,forks")));
    assertEquals(
        "Invalid dedupe.near.num-hashes: 0 (must be > 0)",
        error(Map.of("dedupe.near.num-hashes", "0")));
  }
}
