package org.llamapro.train.allreduce;

import static java.util.Objects.requireNonNull;

import java.nio.FloatBuffer;

/** The all-reduce of a job with one worker: the mean over one rank is the buffer itself. */
public final class SingleWorkerAllReduce implements AllReduce {
  @Override
  public int rank() {
    return 0;
  }

  @Override
  public int worldSize() {
    return 1;
  }

  @Override
  public void allReduceMean(FloatBuffer buf) {
    requireNonNull(buf, "buf is null");
  }

  @Override
  public void barrier() {}

  @Override
  public void close() {}
}
