package org.llamapro.train.allreduce;

import java.util.concurrent.TimeUnit;

/**
 * How long each direction of a rank's ring has made no progress, against the timeout: the event
 * loop fails a direction that stalled for the whole timeout, and a failure caused by a neighbour
 * notes what this rank itself had been waiting for.
 */
final class Stalls {
  private final long timeoutNanos;

  /** When reading / writing stopped making progress (System.nanoTime), or 0. */
  private long readSince;

  private long writeSince;

  Stalls(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  long timeoutNanos() {
    return timeoutNanos;
  }

  void reset() {
    readSince = 0;
    writeSince = 0;
  }

  void readProgressed() {
    readSince = 0;
  }

  void writeProgressed() {
    writeSince = 0;
  }

  /** Nothing moved at {@code now}: starts the clock of each direction that has work to do. */
  void stalled(long now, boolean reading, boolean writing) {
    if (writing && writeSince == 0) {
      writeSince = now;
    }
    if (reading && readSince == 0) {
      readSince = now;
    }
  }

  boolean readTimedOut(long now) {
    return now - readSince >= timeoutNanos;
  }

  boolean writeTimedOut(long now) {
    return now - writeSince >= timeoutNanos;
  }

  /** Milliseconds (at least 1) until the older of the active stalls reaches the timeout. */
  long waitMillis(long now, boolean reading, boolean writing) {
    long wait = Long.MAX_VALUE;
    if (reading) {
      wait = Math.min(wait, readSince + timeoutNanos - now);
    }
    if (writing) {
      wait = Math.min(wait, writeSince + timeoutNanos - now);
    }
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait));
  }

  /**
   * What this rank itself was waiting for when a neighbour gave up, or "": when two ranks time out
   * at about the same moment, the one that heard first still names the rank it was stuck on.
   */
  String note(String previous, String next) {
    long now = System.nanoTime();
    // Short waits are the normal rhythm of a ring; only long ones point at a culprit.
    long worth = Math.min(timeoutNanos / 2, TimeUnit.SECONDS.toNanos(1));
    StringBuilder note = new StringBuilder();
    if (readSince != 0 && now - readSince >= worth) {
      note.append("; this rank had waited ")
          .append(TimeUnit.NANOSECONDS.toMillis(now - readSince))
          .append(" ms for data from ")
          .append(previous);
    }
    if (writeSince != 0 && now - writeSince >= worth) {
      note.append("; this rank had waited ")
          .append(TimeUnit.NANOSECONDS.toMillis(now - writeSince))
          .append(" ms for ")
          .append(next)
          .append(" to accept data");
    }
    return note.toString();
  }

  /** "60 s" or "1500 ms". */
  static String format(long nanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
