package org.llamapro.data.decontam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;

class DecontamOptionsTest {
  @Test
  void knownSetsGetTheirHuggingFaceFields() {
    DecontamOptions options =
        DecontamOptions.from(
            Settings.of(Map.of("decontam.eval-sets", "mbpp=/e/mbpp.jsonl,gsm8k=/e/gsm8k.parquet")));
    assertEquals(
        List.of(
            new EvalSetSpec("gsm8k", "/e/gsm8k.parquet", List.of("question", "answer"), null),
            new EvalSetSpec(
                "mbpp", "/e/mbpp.jsonl", List.of("text", "code", "test_list"), "task_id")),
        options.evalSets());
    assertEquals(13, options.ngram());
  }

  @Test
  void anUnknownSetNeedsItsFields() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> DecontamOptions.from(Settings.of(Map.of("decontam.eval-sets", "arc=/e/arc"))));
    assertEquals(
        "Missing decontam.fields.arc: evaluation set 'arc' has no default text fields (defaults"
            + " exist for [competition_math, gsm8k, hendrycks_math, humaneval, math, mbpp,"
            + " openai_humaneval])",
        error.getMessage());
  }

  @Test
  void fieldsForASetThatIsNotListedAreAnError() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                DecontamOptions.from(
                    Settings.of(
                        Map.of(
                            "decontam.eval-sets", "mbpp=/e/m", "decontam.fields.mpbb", "text"))));
    assertEquals(
        "Invalid decontam.fields.mpbb: no evaluation set 'mpbb' in decontam.eval-sets ([mbpp])",
        error.getMessage());
  }

  @Test
  void ngramIndexFindsTheItemOfA13Gram() {
    String prompt = "one two three four five six seven eight nine ten eleven twelve thirteen";
    NgramIndex index =
        NgramIndex.build(
            List.of(
                new NgramIndex.Item("s", "short", List.of("too short")),
                new NgramIndex.Item("s", "long", List.of(prompt))),
            13);
    assertEquals(1, index.size());
    assertEquals(1, index.itemsWithoutNgrams());
    long[] grams =
        NgramIndex.ngrams(
            "Zero, ONE two three four five six seven eight nine ten eleven twelve thirteen!", 13);
    assertEquals(2, grams.length);
    assertEquals(-1, index.find(grams[0]));
    assertEquals("long", index.itemId(index.find(grams[1])));
  }
}
