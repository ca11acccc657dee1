package org.llamapro.train.trainer;

/**
 * What one optimizer step did: the mean next-token loss over the global batch, the learning rate,
 * the global gradient norm (after averaging, before clipping), the loss scale used, and whether the
 * step was skipped for a non-finite gradient.
 */
public record StepResult(
    int step,
    double loss,
    double learningRate,
    double gradNorm,
    double lossScale,
    boolean skipped,
    long targets,
    double modelSeconds,
    double updateSeconds) {}
