package org.llamapro.train.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llamapro.train.allreduce.AllReduce;
import org.llamapro.train.allreduce.SingleWorkerAllReduce;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.RandomWeights;
import org.llamapro.train.model.TinyConfigs;

class TrainerTest {
  private static final LlamaConfig CONFIG = TinyConfigs.llama(3);
  private static final List<TrainingRow> ROWS = TrainingFixtures.rows(8, 16, 97, 3);

  private static OptimizerSettings settings(double lr, int steps) {
    return OptimizerSettings.paper(steps)
        .withSchedule(LearningRateSchedule.of(lr, lr / 10, 0.0, steps));
  }

  private static Trainer trainer(LlamaModel model, String trainable, RandomWeights weights) {
    return new Trainer(
        model,
        TrainableSet.resolve(trainable, model.config(), Path.of("unused")),
        weights,
        settings(1e-2, 10),
        false,
        new SingleWorkerAllReduce());
  }

  private static List<MicroBatch> batches(int microBatches, int rowsEach, int offset) {
    List<MicroBatch> list = new ArrayList<>();
    for (int m = 0; m < microBatches; m++) {
      int from = offset + m * rowsEach;
      list.add(new MicroBatch(ROWS.subList(from, from + rowsEach)));
    }
    return list;
  }

  private static Map<String, float[]> snapshot(LlamaModel model) {
    Map<String, float[]> values = new LinkedHashMap<>();
    model.namedTensors().forEach((name, array) -> values.put(name, array.toFloatArray()));
    return values;
  }

  @Test
  void frozenWeightsStayBitIdenticalAndTrainableBlocksChange() {
    RandomWeights weights = new RandomWeights(CONFIG, 1);
    try (LlamaModel model = LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT32);
        Trainer trainer = trainer(model, "1", weights)) {
      Map<String, float[]> before = snapshot(model);
      for (int step = 1; step <= 3; step++) {
        StepResult result = trainer.step(step, batches(2, 2, 0));
        assertFalse(result.skipped());
        assertTrue(result.gradNorm() > 0 && Double.isFinite(result.loss()));
      }
      Map<String, float[]> after = snapshot(model);
      int changed = 0;
      for (String name : before.keySet()) {
        if (name.startsWith("model.layers.1.")) {
          assertFalse(
              java.util.Arrays.equals(before.get(name), after.get(name)), name + " did not learn");
          changed++;
        } else {
          assertArrayEquals(before.get(name), after.get(name), name + " is frozen but changed");
          assertFalse(model.namedTensors().get(name).hasGradient(), name + " has a gradient");
        }
      }
      assertEquals(9, changed);
    }
  }

  @Test
  void accumulatingMicroBatchesEqualsOneLargerBatch() {
    // The global gradient norm and the loss of a step see the whole accumulated gradient: four
    // micro-batches of one row must give what one micro-batch of the same four rows gives.
    RandomWeights weights = new RandomWeights(CONFIG, 2);
    StepResult accumulated;
    StepResult single;
    try (LlamaModel model = LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT32);
        Trainer trainer = trainer(model, "0,2", weights)) {
      accumulated = trainer.step(1, batches(4, 1, 0));
    }
    try (LlamaModel model = LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT32);
        Trainer trainer = trainer(model, "0,2", weights)) {
      single = trainer.step(1, batches(1, 4, 0));
    }
    assertTrue(single.gradNorm() > 0, "gradient norm " + single.gradNorm());
    assertEquals(single.gradNorm(), accumulated.gradNorm(), 1e-5 * single.gradNorm());
    assertEquals(single.loss(), accumulated.loss(), 1e-5 * single.loss());
    assertEquals(single.targets(), accumulated.targets());
    // A different set of rows gives a different norm: the comparison above can fail.
    try (LlamaModel model = LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT32);
        Trainer trainer = trainer(model, "0,2", weights)) {
      StepResult other = trainer.step(1, batches(1, 4, 4));
      assertTrue(Math.abs(other.gradNorm() - single.gradNorm()) > 1e-4 * single.gradNorm());
    }
  }

  @Test
  void stepsDoNotGrowTheManagedArrays() {
    RandomWeights weights = new RandomWeights(CONFIG, 3);
    try (LlamaModel model = LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT32);
        Trainer trainer = trainer(model, "1,2", weights)) {
      trainer.step(1, batches(2, 2, 0));
      trainer.evaluate(batches(1, 2, 4));
      int afterFirst = countArrays(model.manager());
      for (int step = 2; step <= 5; step++) {
        trainer.step(step, batches(2, 2, 0));
        trainer.evaluate(batches(1, 2, 4));
      }
      assertEquals(afterFirst, countArrays(model.manager()));
    }
  }

  private static int countArrays(NDManager manager) {
    return manager.getManagedArrays().size();
  }

  @Test
  void float16ComputeWithLossScalingSkipsOverflowsAndLearns() {
    RandomWeights weights = new RandomWeights(CONFIG, 4);
    OptimizerSettings settings =
        OptimizerSettings.builder()
            .setSteps(20)
            .optLr(1e-2)
            .optMinLr(1e-3)
            .optWarmupRatio(0.0)
            .optInitialLossScale(LossScaler.MAX_SCALE) // overflows F16 at first
            .optLossScaleGrowthInterval(2)
            .build();
    try (LlamaModel model = LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT16);
        Trainer trainer =
            new Trainer(
                model,
                TrainableSet.resolve("1", CONFIG, Path.of("unused")),
                weights,
                settings,
                false,
                new SingleWorkerAllReduce())) {
      Map<String, float[]> mastersBefore = trainer.masterValues();
      Map<String, float[]> frozenBefore = snapshot(model);
      List<StepResult> results = new ArrayList<>();
      for (int step = 1; step <= 12; step++) {
        results.add(trainer.step(step, batches(1, 2, 0)));
      }
      StepResult first = results.get(0);
      assertTrue(first.skipped(), "2^24 loss scale must overflow F16 gradients");
      assertEquals(LossScaler.MAX_SCALE, first.lossScale());
      assertTrue(results.get(1).lossScale() < first.lossScale(), "the scale halves on overflow");
      long applied = results.stream().filter(r -> !r.skipped()).count();
      assertTrue(applied >= 3, "steps are applied once the scale fits: " + results);
      int lastApplied = 0;
      for (int i = 0; i < results.size(); i++) {
        if (!results.get(i).skipped()) {
          lastApplied = i;
        }
      }
      assertTrue(results.get(lastApplied).loss() < first.loss(), "loss falls: " + results);
      // Masters moved; the F16 compute copies follow them; frozen F16 weights are untouched.
      Map<String, float[]> masters = trainer.masterValues();
      for (Map.Entry<String, float[]> e : masters.entrySet()) {
        assertFalse(java.util.Arrays.equals(mastersBefore.get(e.getKey()), e.getValue()));
        NDArray compute = model.namedTensors().get(e.getKey());
        assertEquals(DataType.FLOAT16, compute.getDataType());
        float[] half = compute.toType(DataType.FLOAT32, true).toFloatArray();
        for (int i = 0; i < half.length; i++) {
          assertEquals(e.getValue()[i], half[i], 1e-3 * (1 + Math.abs(e.getValue()[i])));
        }
      }
      Map<String, float[]> frozenAfter = snapshot(model);
      for (String name : frozenBefore.keySet()) {
        if (!masters.containsKey(name)) {
          assertArrayEquals(frozenBefore.get(name), frozenAfter.get(name), name);
        }
      }
    }
  }

  @Test
  void twoAndThreeRanksAsThreadsTakeTurnsOnTheTapeAndMatchOneWorker() throws Exception {
    ranksMatchOneWorker(2);
    ranksMatchOneWorker(3);
  }

  /**
   * W ranks with micro-batch 2 give the parameters of one worker with W micro-batches of 2 (the
   * same global batch) after two steps; every rank's frozen tensors stay bit-identical.
   */
  private static void ranksMatchOneWorker(int worldSize) throws Exception {
    RandomWeights weights = new RandomWeights(CONFIG, 6);
    Map<String, float[]> expected;
    try (LlamaModel model = LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT32);
        Trainer trainer = trainer(model, "1", weights)) {
      for (int step = 1; step <= 2; step++) {
        List<MicroBatch> batches = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
          batches.add(new MicroBatch(ROWS.subList(2 * r, 2 * r + 2)));
        }
        trainer.step(step, batches);
      }
      expected = trainer.masterValues();
    }
    List<AllReduce> group = org.llamapro.train.allreduce.InProcessAllReduce.group(worldSize);
    List<Map<String, float[]>> results = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> frozenChanged = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (AllReduce rank : group) {
      Thread thread =
          new Thread(
              () -> {
                try (LlamaModel model =
                        LlamaModel.load(CONFIG, weights, Device.cpu(), DataType.FLOAT32);
                    Trainer trainer =
                        new Trainer(
                            model,
                            TrainableSet.resolve("1", CONFIG, Path.of("unused")),
                            weights,
                            settings(1e-2, 10),
                            false,
                            rank)) {
                  int from = 2 * rank.rank();
                  for (int step = 1; step <= 2; step++) {
                    trainer.step(step, List.of(new MicroBatch(ROWS.subList(from, from + 2))));
                  }
                  for (Map.Entry<String, ai.djl.ndarray.NDArray> tensor :
                      model.namedTensors().entrySet()) {
                    boolean trainable = trainer.trainableNames().contains(tensor.getKey());
                    if (!trainable
                        && !java.util.Arrays.equals(
                            weights.readFloats(tensor.getKey()),
                            tensor.getValue().toFloatArray())) {
                      frozenChanged.add(rank.rank() + ":" + tensor.getKey());
                    }
                  }
                  if (rank.rank() == 0) {
                    results.add(trainer.masterValues());
                  }
                } catch (Throwable t) {
                  failures.add(t);
                }
              },
              "rank-" + rank.rank());
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    group.forEach(AllReduce::close);
    assertTrue(failures.isEmpty(), "rank failures: " + failures);
    assertTrue(frozenChanged.isEmpty(), "frozen tensors changed: " + frozenChanged);
    Map<String, float[]> actual = results.get(0);
    for (String name : expected.keySet()) {
      float[] a = actual.get(name);
      float[] b = expected.get(name);
      for (int i = 0; i < b.length; i++) {
        assertEquals(b[i], a[i], 1e-4, "W=" + worldSize + " " + name + "[" + i + "]");
      }
    }
  }
}
