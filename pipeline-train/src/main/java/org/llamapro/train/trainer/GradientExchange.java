package org.llamapro.train.trainer;

import java.nio.FloatBuffer;

/**
 * How one worker averages its gradients with the others after gradient accumulation (DESIGN.md):
 * the trainer copies the trainable gradients into direct buffers, calls {@link #allReduceMean} on
 * each, in the same order on every rank, and copies the means back. One worker passes through.
 */
public interface GradientExchange {
  int rank();

  int worldSize();

  /**
   * Replaces the floats between the buffer's position and limit with their mean over all ranks;
   * every rank passes the same number of floats.
   */
  void allReduceMean(FloatBuffer buffer);

  /** One worker: the mean over one rank is the buffer itself. */
  static GradientExchange single() {
    return new GradientExchange() {
      @Override
      public int rank() {
        return 0;
      }

      @Override
      public int worldSize() {
        return 1;
      }

      @Override
      public void allReduceMean(FloatBuffer buffer) {
        // Nothing to average.
      }
    };
  }
}
