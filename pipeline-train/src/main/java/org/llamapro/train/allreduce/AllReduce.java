package org.llamapro.train.allreduce;

import java.nio.FloatBuffer;

/**
 * Gradient exchange between the ranks of a data-parallel job, in the spirit of DJL's {@code
 * ParameterServer}: every rank hands in its gradients and gets back the mean over all ranks.
 *
 * <p>Collective: every rank must make the same calls in the same order ({@link #allReduceMean} with
 * buffers of the same length, {@link #barrier}). A call blocks until it has completed on this rank.
 * A peer that dies, closes its end or stops answering for longer than the configured timeout turns
 * into an {@link AllReduceException} that names the peer; after such a failure the instance is
 * unusable and every further call fails with the original reason.
 */
public interface AllReduce extends AutoCloseable {
  /** This member's rank, {@code 0 <= rank < worldSize}. */
  int rank();

  /** The number of ranks. */
  int worldSize();

  /**
   * Replaces the floats between {@code buf}'s position and limit with their element-wise mean over
   * all ranks (sum, then one division by {@link #worldSize()}); position and limit are unchanged.
   * Afterwards every rank holds bit-for-bit the same values, so replicas stay in sync.
   *
   * <p>Pass a direct buffer in native (little-endian) order: that is the fast path for bulk copies.
   * Every rank must pass the same number of floats; a mismatch is an {@link
   * IllegalArgumentException} on every rank that lists each rank's length.
   */
  void allReduceMean(FloatBuffer buf);

  /** Returns once every rank has called {@code barrier()}. */
  void barrier();

  /** Releases sockets and threads; idempotent. Peers still waiting on this rank fail promptly. */
  @Override
  void close();
}
