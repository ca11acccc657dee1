package org.llamapro.train.trainer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;

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
   */
  @JsonTypeName("train")
  record Train(
      int step,
      double loss,
      double lr,
      double gradNorm,
      double lossScale,
      boolean skipped,
      long tokens,
      double stepS,
      double dataS,
      double modelS,
      double updateS,
      double tokensPerS,
      double mfu)
      implements MetricsLine {}

  /** One validation: mean loss over the held-out rows, and its perplexity. */
  @JsonTypeName("eval")
  record Eval(int step, double valLoss, double valPpl) implements MetricsLine {}
}
