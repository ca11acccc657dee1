package org.llamapro.train.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llamapro.config.ConfigException;
import org.llamapro.config.Settings;
import org.llamapro.train.allreduce.AllReduce;
import org.llamapro.train.allreduce.InProcessAllReduce;
import org.llamapro.train.allreduce.SingleWorkerAllReduce;
import org.llamapro.train.checkpoint.HfModelDirectory;
import org.llamapro.train.expand.BlockExpander;
import org.llamapro.train.expand.ExpansionRecord;
import org.llamapro.train.expand.Initialization;
import org.llamapro.train.expand.Placement;
import org.llamapro.train.model.ComputeTarget;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.model.PretrainedModels;
import org.llamapro.train.model.Scorer;
import org.llamapro.train.model.TensorNames;
import org.llamapro.train.model.TinyConfigs;

class TrainingRunTest {
  private static final LlamaConfig CONFIG = TinyConfigs.llama(4);
  private static final List<Integer> NEW_BLOCKS = List.of(1, 3);

  @TempDir static Path temp;
  private static Path model;

  @BeforeAll
  static void expandedModel() throws Exception {
    model =
        TrainingFixtures.expandedModel(
            Files.createDirectories(temp.resolve("expanded")),
            CONFIG,
            11,
            NEW_BLOCKS,
            TrainingFixtures.TINY_TOKENIZER);
  }

  private static Map<String, String> base(Path output) {
    Map<String, String> m = new HashMap<>();
    m.put(TrainConfig.MODEL.name(), model.toString());
    m.put(TrainConfig.SHARDS.name(), "memory");
    m.put(TrainConfig.OUTPUT.name(), output.toString());
    m.put(TrainConfig.STEPS.name(), "6");
    m.put(TrainConfig.MICRO_BATCH_SIZE.name(), "2");
    m.put(TrainConfig.GLOBAL_BATCH_SIZE.name(), "4");
    m.put(TrainConfig.SEQ_LEN.name(), "16");
    m.put(OptimizerSettings.LR.name(), "0.01");
    m.put(OptimizerSettings.MIN_LR.name(), "0.001");
    m.put(TrainConfig.CHECKPOINT_EVERY.name(), "2");
    m.put(TrainConfig.KEEP_CHECKPOINTS.name(), "2");
    m.put(TrainConfig.EVAL_EVERY.name(), "3");
    m.put(TrainConfig.EVAL_ROWS.name(), "4");
    m.put(TrainConfig.DEVICE.name(), "cpu");
    return m;
  }

  private static TrainConfig config(Path output, String... overrides) {
    Map<String, String> m = base(output);
    for (String o : overrides) {
      int eq = o.indexOf('=');
      m.put(o.substring(0, eq), o.substring(eq + 1));
    }
    return TrainConfig.from(Settings.of(m));
  }

  private static TrainingRun.Result run(TrainConfig config) {
    return run(config, TrainingFixtures.data(16, 97, TrainingFixtures.TINY_TOKENIZER, 12));
  }

  private static TrainingRun.Result run(TrainConfig config, TrainingData data) {
    return TrainingRun.run(config, version -> data, new SingleWorkerAllReduce());
  }

  @Test
  void resumedRunEndsBitIdenticalToAnUninterruptedOne() throws Exception {
    Path straight = temp.resolve("straight");
    TrainingRun.Result full = run(config(straight));
    assertTrue(full.finished());
    assertEquals(6, full.lastStep());

    Path interrupted = temp.resolve("interrupted");
    TrainingRun.Result first = run(config(interrupted, TrainConfig.STOP_AT_STEP + "=3"));
    assertFalse(first.finished());
    assertEquals(3, first.lastStep());
    assertTrue(Files.isDirectory(interrupted.resolve("checkpoints/step-00000003")));
    // A stale partial checkpoint (as a crash leaves it) is never read.
    Files.createDirectories(interrupted.resolve("checkpoints/.step-00000004.partial"));
    TrainingRun.Result second = run(config(interrupted, TrainConfig.RESUME + "=true"));
    assertTrue(second.finished());

    Map<String, float[]> a = new CheckpointStore(straight, 1).latest().get().readWeights();
    Map<String, float[]> b = new CheckpointStore(interrupted, 1).latest().get().readWeights();
    assertEquals(a.keySet(), b.keySet());
    assertEquals(18, a.size()); // 2 blocks x 9 tensors
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name);
    }
    // The last two checkpoints are kept; metrics have one train line per step, no duplicates.
    assertEquals(
        List.of(4, 6),
        new CheckpointStore(interrupted, 2).list().stream().map(RunCheckpoint::step).toList());
    List<MetricsLine> lines = MetricsLog.read(interrupted.resolve(MetricsLog.FILE_NAME));
    assertEquals(
        List.of(1, 2, 3, 4, 5, 6),
        lines.stream().filter(l -> l instanceof MetricsLine.Train).map(MetricsLine::step).toList());
    assertTrue(lines.stream().anyMatch(l -> l instanceof MetricsLine.Eval e && e.valPpl() > 1));
    assertTrue(Files.size(interrupted.resolve(TrainingRun.PLOT_FILE)) > 1000);
    CheckpointState state = new CheckpointStore(interrupted, 1).latest().get().state();
    assertEquals(6, state.step());
    assertEquals("0", state.data().version());
    assertTrue(state.dataCursor().step() > 0);
  }

  @Test
  void exportedModelLoadsScoresAndHoldsTheTrainedBlocks() throws Exception {
    Path runDirectory = temp.resolve("for-export");
    run(config(runDirectory, TrainConfig.STEPS + "=2"));
    Path exported = temp.resolve("exported");
    ModelExport.Result result = ModelExport.export(runDirectory, null, exported, 40_000);
    assertEquals(2, result.step());
    assertEquals(18, result.trainedTensors());
    assertTrue(Files.exists(exported.resolve(HfModelDirectory.INDEX)), "sharded with an index");
    assertTrue(Files.exists(exported.resolve("tokenizer.json")));
    assertFalse(Files.exists(exported.resolve(ExpansionRecord.FILE_NAME)));
    ExportRecord record = ExportRecord.read(exported);
    assertEquals(2, record.step());
    assertEquals("[1,3]", record.expansion().path("new_blocks").toString());
    Map<String, float[]> trained =
        new CheckpointStore(runDirectory, 1).latest().get().readWeights();
    try (HfModelDirectory out = HfModelDirectory.open(exported);
        HfModelDirectory in = HfModelDirectory.open(model)) {
      assertEquals(in.tensorNames(), out.tensorNames());
      for (String name : in.tensorNames()) {
        if (trained.containsKey(name)) {
          assertArrayEquals(trained.get(name), out.readFloats(name), name);
        } else {
          assertEquals(in.bytes(name), out.bytes(name), name + " must be copied unchanged");
        }
      }
    }
    try (LlamaModel loaded = PretrainedModels.load(exported, ComputeTarget.cpu())) {
      Scorer.Score score = new Scorer(loaded).score(new long[] {1, 5, 6, 7, 8, 9});
      assertTrue(Double.isFinite(score.meanNll()) && score.meanNll() > 0);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> ModelExport.export(runDirectory, null, exported, 40_000),
        "exporting over a non-empty directory");
  }

  @Test
  void refusesShardsOfAnotherTokenizer() {
    TrainingData other = TrainingFixtures.data(16, 97, "{\"another\": 1}", 12);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> run(config(temp.resolve("tok")), other));
    assertTrue(e.getMessage().contains("different tokenizer"), e.getMessage());
  }

  @Test
  void refusesShardsWithALargerVocabulary() {
    TrainingData wide = TrainingFixtures.data(16, 120, TrainingFixtures.TINY_TOKENIZER, 12);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> run(config(temp.resolve("voc")), wide));
    assertTrue(e.getMessage().contains("vocabulary of 120 ids but the model's vocab_size is 97"));
  }

  @Test
  void refusesASequenceLongerThanTheModelsPositions() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(config(temp.resolve("long"), TrainConfig.SEQ_LEN + "=512")));
    assertTrue(e.getMessage().contains("max_position_embeddings (256)"), e.getMessage());
  }

  @Test
  void refusesASequenceLengthOtherThanTheShards() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(config(temp.resolve("seq"), TrainConfig.SEQ_LEN + "=32")));
    assertTrue(e.getMessage().contains("hold rows of 16 tokens"), e.getMessage());
  }

  @Test
  void refusesAGlobalBatchNotDivisibleByMicroBatchTimesWorkers() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                config(
                    temp.resolve("div"),
                    TrainConfig.GLOBAL_BATCH_SIZE + "=6",
                    TrainConfig.WORKERS + "=2"));
    assertTrue(e.getMessage().contains("6 is not divisible by"), e.getMessage());
    assertTrue(e.getMessage().contains("= 2 x 2 = 4"), e.getMessage());
  }

  @Test
  void refusesNoTrainableParameters() throws Exception {
    Path noNew =
        TrainingFixtures.expandedModel(
            Files.createDirectories(temp.resolve("no-new")),
            CONFIG,
            3,
            List.of(),
            TrainingFixtures.TINY_TOKENIZER);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(config(temp.resolve("none"), TrainConfig.MODEL + "=" + noNew)));
    assertTrue(e.getMessage().startsWith("No trainable parameters"), e.getMessage());
  }

  @Test
  void refusesTheDefaultTrainableSetForAModelThatIsNotAnExpansion() throws Exception {
    Path plain = Files.createDirectories(temp.resolve("plain"));
    TrainingFixtures.expandedModel(plain, CONFIG, 3, List.of(), TrainingFixtures.TINY_TOKENIZER);
    Files.delete(plain.resolve(ExpansionRecord.FILE_NAME));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(config(temp.resolve("plain-run"), TrainConfig.MODEL + "=" + plain)));
    assertTrue(e.getMessage().contains("has no expansion.json"), e.getMessage());
    // An explicit set works on any model.
    TrainingRun.Result ok =
        run(
            config(
                temp.resolve("plain-all"),
                TrainConfig.MODEL + "=" + plain,
                TrainConfig.TRAINABLE + "=all",
                TrainConfig.STEPS + "=1"));
    assertTrue(ok.finished());
  }

  @Test
  void refusesToResumeWithADifferentConfigOrToOverwriteARun() {
    Path runDirectory = temp.resolve("resume-check");
    run(config(runDirectory, TrainConfig.STEPS + "=2"));
    IllegalArgumentException again =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(config(runDirectory, TrainConfig.STEPS + "=2")));
    assertTrue(again.getMessage().contains("already holds a run"), again.getMessage());
    IllegalArgumentException changed =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                run(
                    config(
                        runDirectory,
                        TrainConfig.STEPS + "=2",
                        OptimizerSettings.LR + "=0.02",
                        TrainConfig.RESUME + "=true")));
    assertTrue(
        changed.getMessage().contains("train.lr = 0.01 in the run, 0.02 now"),
        changed.getMessage());
    IllegalArgumentException nothing =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(config(temp.resolve("never-ran"), TrainConfig.RESUME + "=true")));
    assertTrue(nothing.getMessage().startsWith("Nothing to resume"), nothing.getMessage());
  }

  @Test
  void twoWorkersAsThreadsShareTheRunAndMatchOneWorker() throws Exception {
    Path single = temp.resolve("one-worker");
    run(config(single, TrainConfig.STEPS + "=3"));
    Path shared = temp.resolve("two-workers");
    TrainConfig two = config(shared, TrainConfig.STEPS + "=3", TrainConfig.WORKERS + "=2");
    assertEquals(1, two.accumulationSteps());
    TrainingData data = TrainingFixtures.data(16, 97, TrainingFixtures.TINY_TOKENIZER, 12);
    List<AllReduce> group = InProcessAllReduce.group(2);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (AllReduce rank : group) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  TrainingRun.run(two, version -> data, rank);
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
    Map<String, float[]> a = new CheckpointStore(single, 1).latest().get().readWeights();
    RunCheckpoint last = new CheckpointStore(shared, 1).latest().get();
    assertEquals(2, last.state().worldSize());
    Map<String, float[]> b = last.readWeights();
    for (String name : a.keySet()) {
      for (int i = 0; i < a.get(name).length; i++) {
        assertEquals(a.get(name)[i], b.get(name)[i], 1e-4, name + "[" + i + "]");
      }
    }
  }

  @Test
  void refusesToFallBackToTheCpuWhenAGpuWasAskedFor() {
    Assumptions.assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(config(temp.resolve("gpu"), TrainConfig.DEVICE + "=gpu")));
    assertTrue(e.getMessage().contains("was requested but libtorch sees 0 GPU(s)"), e.getMessage());
    assertFalse(Files.exists(temp.resolve("gpu").resolve(TrainingRun.RUN_FILE)));
  }

  @Test
  void trainsTheBlocksThatExpandAddedByDefault() throws Exception {
    Path base = Files.createDirectories(temp.resolve("base"));
    TrainingFixtures.expandedModel(base, CONFIG, 21, List.of(), TrainingFixtures.TINY_TOKENIZER);
    Files.delete(base.resolve(ExpansionRecord.FILE_NAME));
    Path expanded = temp.resolve("expanded-by-expand");
    ExpansionRecord record =
        BlockExpander.expand(
            new BlockExpander.Request(
                base,
                expanded,
                6,
                Placement.INTERLEAVE,
                Initialization.IDENTITY,
                0,
                1 << 20,
                false));
    assertEquals(2, record.newBlocks().size());
    Path runDirectory = temp.resolve("expand-run");
    run(
        config(
            runDirectory,
            TrainConfig.MODEL + "=" + expanded,
            TrainConfig.STEPS + "=2",
            TrainConfig.EVAL_EVERY + "=0"));
    Map<String, float[]> trained =
        new CheckpointStore(runDirectory, 1).latest().get().readWeights();
    assertEquals(18, trained.size());
    for (String name : trained.keySet()) {
      assertTrue(
          record.newBlocks().contains(TensorNames.layerOf(name)), name + " is not a new block");
    }
    Path exported = temp.resolve("expand-exported");
    ModelExport.export(runDirectory, null, exported, 1 << 20);
    try (HfModelDirectory out = HfModelDirectory.open(exported);
        HfModelDirectory in = HfModelDirectory.open(expanded)) {
      for (String name : in.tensorNames()) {
        boolean isNew = record.newBlocks().contains(TensorNames.layerOf(name));
        if (!isNew) {
          assertEquals(in.bytes(name), out.bytes(name), name + " is frozen but changed");
        } else if (name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight")) {
          // Zero at expansion; the first steps move them (the paper: new blocks start as the
          // identity).
          float[] values = out.readFloats(name);
          assertTrue(
              java.util.stream.IntStream.range(0, values.length).anyMatch(i -> values[i] != 0f),
              name + " is still zero");
        }
      }
    }
  }

  @Test
  void divergingRunStopsNamingTheStepAndTheLastGoodCheckpoint() throws Exception {
    // A learning rate this large blows the weights up within a step or two: the loss goes NaN.
    Path runDirectory = temp.resolve("diverging");
    TrainConfig config =
        config(
            runDirectory,
            OptimizerSettings.LR + "=1e9",
            OptimizerSettings.MIN_LR + "=1e8",
            OptimizerSettings.WARMUP_RATIO + "=0",
            OptimizerSettings.GRAD_CLIP + "=0",
            TrainConfig.CHECKPOINT_EVERY + "=1",
            TrainConfig.KEEP_CHECKPOINTS + "=1",
            TrainConfig.MAX_SKIPPED_STEPS + "=1",
            TrainConfig.STEPS + "=8");
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> run(config));
    assertTrue(e.getMessage().startsWith("Training diverged at step " + e.step()), e.getMessage());
    assertTrue(e.getMessage().contains(TrainConfig.MAX_SKIPPED_STEPS.name()), e.getMessage());
    // The checkpoint it names is on disk, is the newest, and holds finite weights only.
    // The first steps train (each is checkpointed) until an update blows the weights up; the
    // next two steps are skipped, and the second skip in a row with a budget of one ends the run.
    RunCheckpoint latest = new CheckpointStore(runDirectory, 1).latest().orElseThrow();
    assertEquals(latest.step() + 2, e.step(), e.getMessage());
    assertEquals(latest.directory(), e.lastGoodCheckpoint());
    assertTrue(e.getMessage().contains(latest.directory().toString()), e.getMessage());
    for (Map.Entry<String, float[]> w : latest.readWeights().entrySet()) {
      for (float v : w.getValue()) {
        assertTrue(Float.isFinite(v), w.getKey() + " holds " + v);
      }
    }
    // Every metrics line is valid JSON: non-finite numbers are null and named.
    List<MetricsLine> lines = MetricsLog.read(runDirectory.resolve(MetricsLog.FILE_NAME));
    MetricsLine.Train last = (MetricsLine.Train) lines.get(lines.size() - 1);
    assertEquals(e.step(), last.step());
    assertTrue(last.skipped());
    assertTrue(last.nonFinite().contains("grad_norm") || last.nonFinite().contains("loss"));
    assertFalse(Files.readString(runDirectory.resolve(MetricsLog.FILE_NAME)).contains("NaN"));
  }

  @Test
  void corruptCheckpointIsRefusedOnResumeNamingTheFileAndThePreviousGoodOne() throws Exception {
    Path runDirectory = temp.resolve("corrupt");
    run(config(runDirectory, TrainConfig.STOP_AT_STEP + "=4"));
    Path newest = runDirectory.resolve("checkpoints/step-00000004");
    Path weights = newest.resolve(RunCheckpoint.WEIGHTS);
    byte[] bytes = Files.readAllBytes(weights);
    for (int i = bytes.length - 64; i < bytes.length - 48; i++) {
      bytes[i] ^= 0x5a; // inside the tensor data, past the header: the file still parses
    }
    Files.write(weights, bytes);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> run(config(runDirectory, TrainConfig.RESUME + "=true")));
    assertTrue(e.getMessage().contains(weights.toString()), e.getMessage());
    assertTrue(
        e.getMessage().contains("previous checkpoint " + newest.resolveSibling("step-00000002")),
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ModelExport.export(runDirectory, null, temp.resolve("corrupt-export"), 1 << 20));
    // Moving the corrupt checkpoint aside resumes from the previous one.
    Files.move(newest, runDirectory.resolve("corrupt-step-4"));
    TrainingRun.Result resumed = run(config(runDirectory, TrainConfig.RESUME + "=true"));
    assertTrue(resumed.finished());
  }

  @Test
  void refusesARunDirectoryInsideTheModel() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> run(config(model.resolve("run-inside"))));
    assertTrue(e.getMessage().contains("is inside --model"), e.getMessage());
    assertFalse(Files.exists(model.resolve("run-inside")));
  }

  @Test
  void exportStaysOutsideItsInputsAndOverwritesOnlyAnEarlierExport() throws Exception {
    Path runDirectory = temp.resolve("export-guard");
    run(config(runDirectory, TrainConfig.STEPS + "=2", TrainConfig.EVAL_EVERY + "=0"));
    IllegalArgumentException inside =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelExport.export(runDirectory, null, runDirectory.resolve("model"), 1 << 20));
    assertTrue(inside.getMessage().contains("is inside --run"), inside.getMessage());
    IllegalArgumentException around =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelExport.export(runDirectory, null, temp, 1 << 20, true));
    assertTrue(around.getMessage().contains("contains --run"), around.getMessage());
    Path exported = temp.resolve("export-guard-model");
    ModelExport.export(runDirectory, null, exported, 1 << 20);
    assertEquals(2, ModelExport.export(runDirectory, null, exported, 1 << 20, true).step());
    Path foreign = Files.createDirectories(temp.resolve("not-an-export"));
    Files.writeString(foreign.resolve("notes.txt"), "mine");
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelExport.export(runDirectory, null, foreign, 1 << 20, true));
    assertTrue(refused.getMessage().contains("it has no training.json"), refused.getMessage());
    assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
  }
}
