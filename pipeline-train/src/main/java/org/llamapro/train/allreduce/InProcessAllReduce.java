package org.llamapro.train.allreduce;

import static java.util.Objects.requireNonNull;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * An all-reduce whose ranks are threads of one JVM, for tests of the trainer: same contract as the
 * ring (same-length check, bit-identical mean on every rank, a rank that does not arrive within the
 * timeout fails the others with its rank named), no sockets.
 *
 * <p>Each call is two meetings: at the first every rank's buffer is visible and each rank sums its
 * own slice of the element range over all ranks (in rank order) into a shared result; at the second
 * the result is complete and each rank copies it into its own buffer.
 */
public final class InProcessAllReduce implements AllReduce {
  private final Group group;
  private final int rank;
  private boolean closed;

  private InProcessAllReduce(Group group, int rank) {
    this.group = group;
    this.rank = rank;
  }

  /** Creates the members of one group, index = rank; each is used by its own thread. */
  public static List<AllReduce> group(int worldSize) {
    return group(worldSize, AllReduceConfig.defaults().timeout());
  }

  /** As {@link #group(int)}, with the longest time a rank waits for the others at each meeting. */
  public static List<AllReduce> group(int worldSize, Duration timeout) {
    requireNonNull(timeout, "timeout is null");
    if (worldSize < 1) {
      throw new IllegalArgumentException("Invalid world size: " + worldSize + " (must be >= 1)");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "Invalid all-reduce timeout: " + timeout + " (must be > 0)");
    }
    Group group = new Group(worldSize, timeout);
    List<AllReduce> members = new ArrayList<>(worldSize);
    for (int rank = 0; rank < worldSize; rank++) {
      members.add(new InProcessAllReduce(group, rank));
    }
    return List.copyOf(members);
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return group.worldSize;
  }

  @Override
  public void allReduceMean(FloatBuffer buf) {
    requireNonNull(buf, "buf is null");
    checkOpen();
    int worldSize = group.worldSize;
    Call call = group.meet(rank, Op.ALL_REDUCE, buf.slice());
    call.checkSameShape();
    int count = buf.remaining();
    int from = (int) ((long) count * rank / worldSize);
    int to = (int) ((long) count * (rank + 1) / worldSize);
    float[] result = call.result;
    for (int i = from; i < to; i++) {
      float sum = 0;
      for (FloatBuffer member : call.buffers) {
        sum += member.get(i);
      }
      result[i] = sum / worldSize;
    }
    group.meet(rank, Op.RESULT_READY, null);
    buf.slice().put(result, 0, count);
  }

  @Override
  public void barrier() {
    checkOpen();
    group.meet(rank, Op.BARRIER, null).checkSameShape();
  }

  /** Marks this rank gone: members waiting for it, now or later, fail at once. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      group.leave(rank);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("In-process all-reduce rank " + rank + " is closed");
    }
  }

  private enum Op {
    ALL_REDUCE,
    RESULT_READY,
    BARRIER
  }

  /** What all ranks handed in at one meeting; immutable once every rank arrived. */
  private static final class Call {
    final long sequence;
    final Op[] ops;
    final FloatBuffer[] buffers;
    float[] result;

    Call(long sequence, int worldSize) {
      this.sequence = sequence;
      this.ops = new Op[worldSize];
      this.buffers = new FloatBuffer[worldSize];
    }

    /** Same operation and length on every rank, or the same error on every rank. */
    void checkSameShape() {
      RuntimeException mismatch = mismatch();
      if (mismatch != null) {
        throw mismatch;
      }
    }

    RuntimeException mismatch() {
      for (Op op : ops) {
        if (op != ops[0]) {
          StringJoiner all = new StringJoiner(", ");
          for (int r = 0; r < ops.length; r++) {
            all.add("rank " + r + " called " + describe(ops[r]));
          }
          return new IllegalStateException(
              "Collective mismatch at in-process all-reduce call #" + sequence + ": " + all);
        }
      }
      if (ops[0] == Op.ALL_REDUCE) {
        for (FloatBuffer buffer : buffers) {
          if (buffer.remaining() != buffers[0].remaining()) {
            StringJoiner all = new StringJoiner(", ");
            for (int r = 0; r < buffers.length; r++) {
              all.add("rank " + r + " has " + buffers[r].remaining());
            }
            return new IllegalArgumentException(
                "Buffer length mismatch in in-process all-reduce call #"
                    + sequence
                    + ": every rank must pass the same number of floats, but "
                    + all);
          }
        }
      }
      return null;
    }

    private static String describe(Op op) {
      return op == Op.BARRIER ? "barrier()" : "allReduceMean()";
    }
  }

  /** The state the members share: a reusable meeting point with a timeout. */
  private static final class Group {
    final int worldSize;
    final long timeoutNanos;
    private long generation;
    private int arrived;
    private Call pending;
    private Call completed;
    private String broken;
    private float[] scratch = new float[0];

    Group(int worldSize, Duration timeout) {
      this.worldSize = worldSize;
      this.timeoutNanos = timeout.toNanos();
      this.pending = new Call(1, worldSize);
    }

    /** Waits until every rank arrived at this meeting; returns what they all handed in. */
    synchronized Call meet(int rank, Op op, FloatBuffer buffer) {
      if (broken != null) {
        throw new AllReduceException(broken);
      }
      Call call = pending;
      call.ops[rank] = op;
      call.buffers[rank] = buffer;
      long myGeneration = generation;
      if (++arrived == worldSize) {
        if (op == Op.ALL_REDUCE) {
          int count = buffer.remaining();
          // The previous result is free again: every rank has left the previous call by now.
          scratch = scratch.length == count ? scratch : new float[count];
          call.result = scratch;
        }
        completed = call;
        // A consistent all-reduce meets once more (RESULT_READY) under the same call number.
        boolean secondHalfFollows = op == Op.ALL_REDUCE && call.mismatch() == null;
        pending = new Call(call.sequence + (secondHalfFollows ? 0 : 1), worldSize);
        arrived = 0;
        generation++;
        notifyAll();
        return call;
      }
      long deadline = System.nanoTime() + timeoutNanos;
      while (generation == myGeneration && broken == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          List<Integer> missing = new ArrayList<>();
          for (int r = 0; r < worldSize; r++) {
            if (call.ops[r] == null) {
              missing.add(r);
            }
          }
          broken =
              "In-process all-reduce: rank "
                  + rank
                  + " timed out after "
                  + timeoutNanos / 1_000_000
                  + " ms waiting for rank(s) "
                  + missing
                  + " at call #"
                  + call.sequence
                  + " (dead, stuck, or not calling the same collective)";
          notifyAll();
          throw new AllReduceException(broken);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          broken = "In-process all-reduce: rank " + rank + " was interrupted while waiting";
          notifyAll();
          throw new AllReduceException(broken, e);
        }
      }
      if (generation == myGeneration) {
        throw new AllReduceException(broken);
      }
      return completed;
    }

    synchronized void leave(int rank) {
      if (broken == null) {
        broken = "In-process all-reduce: rank " + rank + " closed its member of the group";
        notifyAll();
      }
    }
  }
}
