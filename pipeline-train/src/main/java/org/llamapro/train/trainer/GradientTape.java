package org.llamapro.train.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JVM's one gradient tape. DJL allows one {@link GradientCollector} per JVM at a time (a static
 * flag), so ranks that run as threads of one JVM (tests, the in-process all-reduce) take turns:
 * opening a tape waits for the lock, closing it releases it. Hold it only for one recomputed block,
 * never across an all-reduce (the other ranks would wait for the lock forever).
 */
final class GradientTape implements AutoCloseable {
  private static final ReentrantLock LOCK = new ReentrantLock(true);

  private final GradientCollector collector;

  private GradientTape() {
    LOCK.lock();
    try {
      collector = Engine.getInstance().newGradientCollector();
    } catch (RuntimeException e) {
      LOCK.unlock();
      throw e;
    }
  }

  /** Opens the tape, waiting while another thread holds it. */
  static GradientTape open() {
    return new GradientTape();
  }

  /**
   * Backpropagates from {@code target}: the gradient of {@code sum(target)}, without forming the
   * sum (so an F16 sum cannot overflow).
   */
  void backward(NDArray target) {
    collector.backward(target);
  }

  /**
   * Turns autograd recording off on the calling thread. PyTorch's grad mode is per thread and on by
   * default in new threads; the forward without a tape and the in-place optimizer updates need it
   * off.
   */
  static void recordingOffOnThisThread() {
    JniUtils.setGradMode(false);
  }

  @Override
  public void close() {
    try {
      collector.close();
    } finally {
      LOCK.unlock();
    }
  }
}
