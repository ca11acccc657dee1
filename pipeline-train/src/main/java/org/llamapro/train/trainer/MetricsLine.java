package org.llamapro.train.trainer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * One line of {@code metrics.jsonl}: {@code "kind": "train"} per step, {@code "kind": "eval"} per
 * validation.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = MetricsLine.Train.class, name = "train"),
  @JsonSubTypes.Type(value = MetricsLine.Eval.class, name = "eval")
})
sealed interface MetricsLine {
  int step();

  /**
   * One optimizer step.
   *
   * @param loss mean next-token loss over the global batch (nats per token)
   * @param lr the learning rate of the step
   * @param gradNorm global gradient norm after averaging, before clipping
   * @param lossScale the loss scale the step used
   * @param skipped whether the update was skipped for a non-finite loss or gradient
   * @param tokens tokens of the global batch
   * @param stepS wall time of the step; {@code dataS}, {@code modelS}, {@code updateS} its parts
   * @param tokensPerS global throughput
   * @param mfu model FLOPs utilisation against the assumed or configured peak
   * @param nonFinite the fields that are null because their value was NaN or infinite
   */
  @JsonTypeName("train")
  record Train(
      int step,
      Double loss,
      double lr,
      Double gradNorm,
      double lossScale,
      boolean skipped,
      long tokens,
      double stepS,
      double dataS,
      double modelS,
      double updateS,
      double tokensPerS,
      double mfu,
      List<String> nonFinite)
      implements MetricsLine {
    public Train {
      nonFinite = List.copyOf(nonFinite);
    }

    /** A line for a step's result; a non-finite loss or norm is written as null and named. */
    static Train of(
        StepResult result, long tokens, double stepS, double dataS, double tokensPerS, double mfu) {
      return new Train(
          result.step(),
          NonFinite.orNull(result.loss()),
          result.learningRate(),
          NonFinite.orNull(result.gradNorm()),
          result.lossScale(),
          result.skipped(),
          tokens,
          stepS,
          dataS,
          result.modelSeconds(),
          result.updateSeconds(),
          tokensPerS,
          mfu,
          NonFinite.names("loss", result.loss(), "grad_norm", result.gradNorm()));
    }
  }

  /**
   * One validation: mean loss over the held-out rows, and its perplexity (null and named in {@code
   * non_finite} when not finite).
   */
  @JsonTypeName("eval")
  record Eval(int step, Double valLoss, Double valPpl, List<String> nonFinite)
      implements MetricsLine {
    public Eval {
      nonFinite = List.copyOf(nonFinite);
    }

    static Eval of(int step, double loss) {
      double ppl = Math.exp(loss);
      return new Eval(
          step,
          NonFinite.orNull(loss),
          NonFinite.orNull(ppl),
          NonFinite.names("val_loss", loss, "val_ppl", ppl));
    }
  }
}
