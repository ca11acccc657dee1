package org.llamapro.train.allreduce;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one rank's ring fails, so that every rank learns the root reason. Each failure marks the ring
 * broken (for good), tells both neighbours the reason in an ABORT frame, half-closes both
 * connections and returns the {@link AllReduceException} to throw. A neighbour's ABORT is read and
 * quoted, a neighbour that vanishes is named with its address, and a timeout waits briefly for a
 * neighbour that may know which rank really stopped.
 */
final class RingFailures {
  private static final Logger LOG = LoggerFactory.getLogger(RingFailures.class);

  private final int rank;
  private final String previous;
  private final String next;
  private final SocketChannel toNext;
  private final SocketChannel fromPrev;
  private final Stalls stalls;

  /** The frame being sent: finished before an ABORT so the next rank's stream stays parseable. */
  private final ByteBuffer sending;

  /** The next rank only ever sends an ABORT (or closes): its bytes collect here. */
  private final ByteBuffer noticeFromNext =
      Frames.small(Frames.HEADER_BYTES + Frames.MAX_ABORT_BYTES);

  private String broken;
  private boolean closed;

  RingFailures(
      int rank,
      String previous,
      String next,
      SocketChannel toNext,
      SocketChannel fromPrev,
      ByteBuffer sending,
      Stalls stalls) {
    this.rank = rank;
    this.previous = previous;
    this.next = next;
    this.toNext = toNext;
    this.fromPrev = fromPrev;
    this.sending = sending;
    this.stalls = stalls;
  }

  /** The first failure's message, or null while the ring is healthy. */
  String broken() {
    return broken;
  }

  /** "rank 2 (host:port)", the rank this one receives from. */
  String previous() {
    return previous;
  }

  /** "rank 0 (host:port)", the rank this one sends to. */
  String next() {
    return next;
  }

  /**
   * Closing: a healthy ring tells both neighbours {@code goodbye}, so ranks still waiting on this
   * one fail at once with that reason. No notices after this.
   */
  void closing(String goodbye) {
    if (broken == null) {
      sendNotices(goodbye);
    }
    closed = true;
  }

  AllReduceException timedOut(String waitingFor, Schedule schedule, boolean betweenFrames) {
    String message =
        "Rank "
            + rank
            + ": timed out after "
            + Stalls.format(stalls.timeoutNanos())
            + " "
            + waitingFor
            + " during "
            + schedule.describe()
            + "; that rank is dead, stuck, or not making the same calls ("
            + AllReduceConfig.TIMEOUT
            + ")";
    // Tell the neighbours first, then listen briefly: a neighbour that timed out just before us
    // usually knows which rank really stopped, and its reason makes ours useful.
    sendNotices(message);
    String reports = collectReports(betweenFrames);
    return failed(message + reports, message, null, true);
  }

  AllReduceException peerClosed(String peer, Schedule schedule) {
    String message =
        "Rank "
            + rank
            + ": "
            + peer
            + " closed its connection during "
            + schedule.describe()
            + " (it failed, was stopped, or closed its all-reduce; see its log)"
            + stalls.note(previous, next);
    return failed(message, message, null, false);
  }

  /** An ABORT frame from the previous rank, its header already in {@code frame}. */
  AllReduceException abortFromPrevious(ByteBuffer frame, int length, Schedule schedule) {
    return peerAborted(previous, readAbortReason(fromPrev, frame, length), schedule);
  }

  /**
   * The next rank sent something: it may only be an ABORT frame, or the end of its stream. A reset
   * here (the next rank vanished while this one waited for the previous) names the next rank too.
   */
  void readNoticeFromNext(Schedule schedule) {
    int n;
    try {
      n = toNext.read(noticeFromNext);
    } catch (IOException e) {
      throw lostConnection(e, next, "sending to", schedule);
    }
    if (n < 0) {
      throw peerClosed(next, schedule);
    }
    if (noticeFromNext.position() >= Frames.HEADER_BYTES) {
      int kind = noticeFromNext.getInt(0);
      if (kind != Frames.ABORT) {
        throw protocolError(
            "unexpected " + Frames.kindName(kind) + " frame from " + next + " (expected none)");
      }
      String reason = readAbortReason(toNext, noticeFromNext, noticeFromNext.getInt(4));
      throw peerAborted(next, reason, schedule);
    }
  }

  private AllReduceException peerAborted(String peer, String reason, Schedule schedule) {
    return failed(
        abortedMessage(peer, reason, schedule) + stalls.note(previous, next), reason, null, false);
  }

  private String abortedMessage(String peer, String reason, Schedule schedule) {
    return "Rank " + rank + ": " + peer + " aborted during " + schedule.describe() + ": " + reason;
  }

  AllReduceException lostConnection(IOException e, String peer, String action, Schedule schedule) {
    if (broken != null) {
      return new AllReduceException(broken, e);
    }
    // A reset on write usually follows an ABORT from the next rank: prefer its reason.
    String reason = peer.equals(next) ? pollNotice(toNext, noticeFromNext) : null;
    if (reason != null) {
      return failed(abortedMessage(peer, reason, schedule), reason, e, false);
    }
    String message =
        "Rank "
            + rank
            + ": lost the connection to "
            + peer
            + " while "
            + action
            + " it during "
            + schedule.describe()
            + ": "
            + e;
    return failed(message, message, e, false);
  }

  AllReduceException protocolError(String detail) {
    String message =
        "Rank " + rank + ": all-reduce protocol error: " + detail + " (ranks out of step?)";
    return failed(message, message, null, false);
  }

  AllReduceException interrupted(Schedule schedule, Throwable cause) {
    return failed(
        "Rank " + rank + ": interrupted during " + schedule.describe(), null, cause, false);
  }

  AllReduceException selectorFailed(IOException e) {
    return failed("Rank " + rank + ": selector failed: " + e, null, e, false);
  }

  /** A bug must not leave a half-done collective looking usable. */
  AllReduceException internalError(Schedule schedule, RuntimeException e) {
    return failed(
        "Rank " + rank + ": internal error during " + schedule.describe() + ": " + e,
        null,
        e,
        false);
  }

  /**
   * Marks the ring broken, tells both neighbours {@code rootReason} and half-closes both
   * connections (FIN after the ABORT frame, so the neighbours read the reason before the end of
   * stream). The sockets stay open until the ring is closed: closing with unread input would send a
   * reset, which can overtake the reason.
   */
  private AllReduceException failed(
      String message, String rootReason, Throwable cause, boolean noticesSent) {
    if (broken == null) {
      broken = message;
      if (!noticesSent) {
        sendNotices(rootReason == null ? message : rootReason);
      }
      shutdownOutputQuietly(toNext);
      shutdownOutputQuietly(fromPrev);
      LOG.warn("{}", message);
    }
    return new AllReduceException(message, cause);
  }

  private static void shutdownOutputQuietly(SocketChannel channel) {
    try {
      if (channel.isOpen()) {
        channel.shutdownOutput();
      }
    } catch (IOException | RuntimeException ignored) {
      // Already gone: the neighbour sees the end of stream anyway.
    }
  }

  /**
   * Best effort, bounded: an ABORT frame to the previous rank (that direction carries nothing else)
   * and one to the next rank, after finishing the frame in flight (it is valid data; a neighbour
   * that is reading takes it in milliseconds, one that is stuck does not need the notice).
   */
  private void sendNotices(String reason) {
    if (closed) {
      return;
    }
    try {
      fromPrev.write(Frames.abort(reason));
    } catch (IOException | RuntimeException ignored) {
      // The previous rank may be gone already.
    }
    try {
      long deadline = System.nanoTime() + Math.min(stalls.timeoutNanos() / 4, 500_000_000L);
      while (sending.hasRemaining() && System.nanoTime() < deadline) {
        if (toNext.write(sending) == 0) {
          Thread.sleep(1);
        }
      }
      if (!sending.hasRemaining()) {
        toNext.write(Frames.abort(reason));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException ignored) {
      // The next rank may be gone already.
    }
  }

  /**
   * After our own timeout: waits a short grace period for a neighbour's ABORT and returns its
   * reason as a suffix (or ""). From the previous rank only when we are between frames.
   */
  private String collectReports(boolean prevAtBoundary) {
    long grace = Math.min(stalls.timeoutNanos() / 4, TimeUnit.SECONDS.toNanos(1));
    long deadline = System.nanoTime() + grace;
    ByteBuffer fromPrevNotice = Frames.small(Frames.HEADER_BYTES + Frames.MAX_ABORT_BYTES);
    StringBuilder reports = new StringBuilder();
    Set<String> done = new HashSet<>();
    while (System.nanoTime() < deadline && done.size() < 2) {
      if (prevAtBoundary && !done.contains("prev")) {
        String reason = pollNotice(fromPrev, fromPrevNotice);
        if (reason != null) {
          done.add("prev");
          reports.append("; ").append(previous).append(" reported: ").append(reason);
        }
      } else {
        done.add("prev");
      }
      if (!done.contains("next")) {
        String reason = pollNotice(toNext, noticeFromNext);
        if (reason != null) {
          done.add("next");
          reports.append("; ").append(next).append(" reported: ").append(reason);
        }
      }
      sleepBriefly();
    }
    return reports.toString();
  }

  /**
   * Reads the rest of an ABORT frame whose header is already in {@code frame}. The peer closes
   * right after it, so this waits at most briefly, and keeps what arrived if the connection drops.
   */
  private String readAbortReason(SocketChannel channel, ByteBuffer frame, int length) {
    int end = Frames.HEADER_BYTES + Math.max(0, Math.min(length, Frames.MAX_ABORT_BYTES));
    if (end > frame.capacity()) {
      end = frame.capacity();
    }
    if (frame.position() > end) {
      frame.position(end);
    }
    frame.limit(end);
    long deadline =
        System.nanoTime() + Math.min(stalls.timeoutNanos(), TimeUnit.SECONDS.toNanos(1));
    while (frame.hasRemaining() && System.nanoTime() < deadline) {
      try {
        if (channel.read(frame) < 0) {
          break;
        }
      } catch (IOException e) {
        break; // a reset right after the ABORT: the reason read so far is what there is
      }
      if (frame.hasRemaining()) {
        sleepBriefly();
      }
    }
    byte[] text = new byte[frame.position() - Frames.HEADER_BYTES];
    frame.duplicate().position(Frames.HEADER_BYTES).limit(frame.position()).get(text);
    return new String(text, StandardCharsets.UTF_8);
  }

  /** Non-blocking: the reason of a complete ABORT frame on {@code channel}, else null. */
  private static String pollNotice(SocketChannel channel, ByteBuffer buffer) {
    try {
      if (channel.read(buffer) < 0 && buffer.position() < Frames.HEADER_BYTES) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      // Fall through: a complete frame may already be buffered.
    }
    if (buffer.position() < Frames.HEADER_BYTES || buffer.getInt(0) != Frames.ABORT) {
      return null;
    }
    int length = Math.min(Math.max(buffer.getInt(4), 0), Frames.MAX_ABORT_BYTES);
    if (buffer.position() < Frames.HEADER_BYTES + length) {
      return null;
    }
    byte[] text = new byte[length];
    buffer.duplicate().position(Frames.HEADER_BYTES).limit(Frames.HEADER_BYTES + length).get(text);
    return new String(text, StandardCharsets.UTF_8);
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
