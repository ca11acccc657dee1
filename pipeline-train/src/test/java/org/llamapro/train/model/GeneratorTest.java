package org.llamapro.train.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratorTest {
  private static final LlamaConfig CONFIG = TinyConfigs.groupedTied(2);

  @Test
  void greedyFollowsTheReferenceArgmaxAndIsDeterministic() {
    RandomWeights weights = new RandomWeights(CONFIG, 5);
    ReferenceLlama reference = new ReferenceLlama(CONFIG, weights);
    long[] prompt = {1, 45, 12};
    try (LlamaModel model = LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT32)) {
      Generator generator = new Generator(model);
      long[] first = generator.generate(prompt, Generator.Options.greedy(6));
      long[] second = generator.generate(prompt, Generator.Options.greedy(6));
      assertArrayEquals(first, second);
      assertEquals(6, first.length);
      // Each greedy token is the argmax of the reference's last-position logits.
      int[] sequence = {1, 45, 12, 0, 0, 0, 0, 0, 0};
      for (int i = 0; i < first.length; i++) {
        double[][] logits = reference.logits(java.util.Arrays.copyOf(sequence, 3 + i));
        double[] last = logits[logits.length - 1];
        int best = 0;
        for (int v = 1; v < last.length; v++) {
          if (last[v] > last[best]) {
            best = v;
          }
        }
        assertEquals(best, first[i], "token " + i);
        sequence[3 + i] = best;
      }
    }
  }

  @Test
  void samplingIsSeeded() {
    try (LlamaModel model =
        LlamaModel.load(CONFIG, new RandomWeights(CONFIG, 5), Device.cpu(), DataType.FLOAT32)) {
      Generator generator = new Generator(model);
      Generator.Options seed1 = new Generator.Options(12, false, 1.5, 0.95, 1, Set.of());
      Generator.Options seed2 = new Generator.Options(12, false, 1.5, 0.95, 2, Set.of());
      long[] a = generator.generate(new long[] {1, 2, 3}, seed1);
      assertArrayEquals(a, generator.generate(new long[] {1, 2, 3}, seed1));
      assertFalse(java.util.Arrays.equals(a, generator.generate(new long[] {1, 2, 3}, seed2)));
    }
  }

  @Test
  void stopsAtStopIdAndFreesStepMemory() {
    try (LlamaModel model =
        LlamaModel.load(CONFIG, new RandomWeights(CONFIG, 5), Device.cpu(), DataType.FLOAT32)) {
      Generator generator = new Generator(model);
      long[] free = generator.generate(new long[] {1, 9}, Generator.Options.greedy(5));
      int before = ((BaseNDManager) model.manager()).getManagedArrays().size();
      long stop = free[2];
      long[] stopped =
          generator.generate(
              new long[] {1, 9}, new Generator.Options(5, true, 1, 1, 0, Set.of(stop)));
      assertTrue(stopped.length <= 3 && stopped[stopped.length - 1] == stop);
      assertEquals(before, ((BaseNDManager) model.manager()).getManagedArrays().size());
    }
  }

  @Test
  void scoreMatchesReferenceNll() {
    RandomWeights weights = new RandomWeights(CONFIG, 8);
    int[] ids = {1, 4, 8, 15, 16, 23, 42};
    double[][] logits = new ReferenceLlama(CONFIG, weights).logits(ids);
    double expected = 0;
    for (int t = 0; t < ids.length - 1; t++) {
      double max = Double.NEGATIVE_INFINITY;
      for (double l : logits[t]) {
        max = Math.max(max, l);
      }
      double sum = 0;
      for (double l : logits[t]) {
        sum += Math.exp(l - max);
      }
      expected += -(logits[t][ids[t + 1]] - max - Math.log(sum));
    }
    try (LlamaModel model = LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT32)) {
      Scorer.Score score =
          new Scorer(model).score(java.util.Arrays.stream(ids).asLongStream().toArray());
      assertEquals(6, score.tokens());
      assertEquals(expected / 6, score.meanNll(), 1e-4);
    }
  }

  @Test
  void outOfVocabularyIdIsRefused() {
    try (LlamaModel model =
        LlamaModel.load(CONFIG, new RandomWeights(CONFIG, 5), Device.cpu(), DataType.FLOAT32)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new Generator(model).generate(new long[] {1, 97}, Generator.Options.greedy(1)));
      assertEquals("Token id 97 is outside the model's vocabulary [0, 97)", e.getMessage());
    }
  }
}
