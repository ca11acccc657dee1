package org.llamapro.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.llamapro.train.allreduce.SingleWorkerAllReduce;
import org.llamapro.train.model.InitializedWeights;
import org.llamapro.train.model.LlamaConfig;
import org.llamapro.train.model.LlamaModel;
import org.llamapro.train.trainer.FlopCounter;
import org.llamapro.train.trainer.LearningRateSchedule;
import org.llamapro.train.trainer.MicroBatch;
import org.llamapro.train.trainer.OptimizerSettings;
import org.llamapro.train.trainer.StepResult;
import org.llamapro.train.trainer.TrainableSet;
import org.llamapro.train.trainer.Trainer;
import org.llamapro.train.trainer.TrainingRow;

/**
 * {@code bench/run train [STEPS]}: optimizer-step time and tokens/s of a small expanded model (8
 * blocks, 2 of them new) on the CPU in F32, for three settings in one run: only the new blocks
 * trainable, all blocks trainable, and forward only (STEPS rounds, default 5, after a warm-up step;
 * the fastest step is reported, the median beside it). Also the share of step time spent outside
 * the model's forward and backward passes (making batches, gradient norm, AdamW, bookkeeping).
 */
public final class TrainStepBench {
  private static final int LAYERS = 8;
  private static final String NEW_BLOCKS = "3,7"; // 6 -> 8 blocks, a copy after every 3
  private static final int SEQ_LEN = 256;
  private static final int MICRO_BATCH = 2;
  private static final int MICRO_BATCHES = 2;

  private TrainStepBench() {}

  public static void run(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    LlamaConfig config =
        LlamaConfig.builder()
            .setVocabSize(8000)
            .setHiddenSize(256)
            .setIntermediateSize(688)
            .setNumHiddenLayers(LAYERS)
            .setNumAttentionHeads(8)
            .optRmsNormEps(1e-5)
            .optMaxPositionEmbeddings(4096)
            .build();
    InitializedWeights weights = new InitializedWeights(config, 1, 0.02);
    List<List<MicroBatch>> batches = batches(config, steps + 1);
    long tokensPerStep = (long) MICRO_BATCH * MICRO_BATCHES * SEQ_LEN;
    System.out.printf(
        Locale.ROOT,
        "model: %d blocks (new: %s), hidden %d, vocab %d; step = %d micro-batches x %d rows x %d"
            + " tokens = %d tokens; CPU F32, %d cores%n",
        LAYERS,
        NEW_BLOCKS,
        config.hiddenSize(),
        config.vocabSize(),
        MICRO_BATCHES,
        MICRO_BATCH,
        SEQ_LEN,
        tokensPerStep,
        Runtime.getRuntime().availableProcessors());
    System.out.println(
        "setting               step_s   tokens/s   model_s  update_s  outside_model   GFLOP  median_s");
    List<String> settings = List.of(NEW_BLOCKS, "blocks", "forward");
    List<LlamaModel> models = new ArrayList<>();
    List<Trainer> trainers = new ArrayList<>();
    try {
      for (String setting : settings) {
        LlamaModel model = LlamaModel.load(config, weights, Device.cpu(), DataType.FLOAT32);
        models.add(model);
        String spec = setting.equals("forward") ? NEW_BLOCKS : setting;
        OptimizerSettings optimizer =
            OptimizerSettings.paper(steps + 1)
                .withSchedule(LearningRateSchedule.of(2e-4, 2e-5, 0.0, steps + 1));
        trainers.add(
            new Trainer(
                model,
                TrainableSet.resolve(spec, config, Path.of("unused")),
                weights,
                optimizer,
                false,
                new SingleWorkerAllReduce()));
      }
      // Rounds interleave the settings, so load from other processes hits them alike. The
      // fastest step of each setting is reported (the least disturbed), with the median step
      // time beside it. Round 0 warms up.
      double[][][] times = new double[settings.size()][steps][3]; // step, model, update seconds
      for (int round = 0; round <= steps; round++) {
        for (int i = 0; i < settings.size(); i++) {
          long start = System.nanoTime();
          List<MicroBatch> stepBatches = copy(batches.get(round)); // data work counts as outside
          double model0;
          double update0 = 0;
          if (settings.get(i).equals("forward")) {
            long f = System.nanoTime();
            trainers.get(i).evaluate(stepBatches);
            model0 = (System.nanoTime() - f) / 1e9;
          } else {
            StepResult result = trainers.get(i).step(round + 1, stepBatches);
            model0 = result.modelSeconds();
            update0 = result.updateSeconds();
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          if (round > 0) {
            times[i][round - 1] = new double[] {seconds, model0, update0};
          }
        }
      }
      for (int i = 0; i < settings.size(); i++) {
        double[][] t = times[i];
        java.util.Arrays.sort(t, java.util.Comparator.comparingDouble(x -> x[0]));
        double[] fastest = t[0];
        double medianSeconds = t[t.length / 2][0];
        String setting = settings.get(i);
        double flops =
            setting.equals("forward")
                ? FlopCounter.forwardPerToken(config, SEQ_LEN)
                : FlopCounter.trainingPerToken(config, SEQ_LEN, trainers.get(i).trainable());
        String name =
            switch (setting) {
              case "blocks" -> "all blocks trainable";
              case "forward" -> "forward only";
              default -> "new blocks trainable";
            };
        System.out.printf(
            Locale.ROOT,
            "%-21s %7.3f %10.1f %9.3f %9.3f %13.1f%% %8.2f %9.3f%n",
            name,
            fastest[0],
            tokensPerStep / fastest[0],
            fastest[1],
            fastest[2],
            100 * (1 - fastest[1] / fastest[0]),
            flops * tokensPerStep / 1e9,
            medianSeconds);
      }
    } finally {
      trainers.forEach(Trainer::close);
      models.forEach(LlamaModel::close);
    }
  }

  private static List<List<MicroBatch>> batches(LlamaConfig config, int steps) {
    SplittableRandom random = new SplittableRandom(7);
    List<List<MicroBatch>> all = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      List<MicroBatch> step = new ArrayList<>();
      for (int m = 0; m < MICRO_BATCHES; m++) {
        List<TrainingRow> rows = new ArrayList<>();
        for (int r = 0; r < MICRO_BATCH; r++) {
          int[] tokens = new int[SEQ_LEN];
          for (int i = 0; i < SEQ_LEN; i++) {
            tokens[i] = random.nextInt(config.vocabSize());
          }
          rows.add(TrainingRow.of(tokens));
        }
        step.add(new MicroBatch(rows));
      }
      all.add(step);
    }
    return all;
  }

  /** Rebuilds the batches from their rows, as the loop does from the row stream. */
  private static List<MicroBatch> copy(List<MicroBatch> batches) {
    List<MicroBatch> copy = new ArrayList<>();
    for (MicroBatch b : batches) {
      List<TrainingRow> rows = new ArrayList<>();
      for (TrainingRow row : b.rows()) {
        rows.add(new TrainingRow(row.tokens().clone(), row.documentStarts(), row.validTokens()));
      }
      copy.add(new MicroBatch(rows));
    }
    return copy;
  }
}
