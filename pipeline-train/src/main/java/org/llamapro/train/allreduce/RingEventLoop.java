package org.llamapro.train.allreduce;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Drives both connections of one rank from the calling thread without blocking: it writes the next
 * queued frame to the next rank while the kernel moves earlier ones, and hands received bytes to
 * the collective's {@link Schedule} as soon as they arrive. Every wait is bounded by the timeout
 * ({@link Stalls}); every failure goes through {@link RingFailures}.
 */
final class RingEventLoop {
  private final SocketChannel toNext;
  private final SocketChannel fromPrev;
  private final Selector selector;
  private final SelectionKey nextKey;
  private final SelectionKey prevKey;
  private final WireFrame sending;
  private final WireFrame received;
  private final Stalls stalls;
  private final RingFailures failures;

  /** Frames ready to send, in stream order; the receiver expects exactly this order. */
  private final ArrayDeque<Outgoing> outbox = new ArrayDeque<>();

  private final WireKernels kernels = new WireKernels();

  private RingEventLoop(
      int rank, List<PeerAddress> peers, AllReduceConfig config, RingLinks links, Selector selector)
      throws IOException {
    int worldSize = peers.size();
    this.toNext = links.toNext;
    this.fromPrev = links.fromPrev;
    this.selector = selector;
    nextKey = toNext.register(selector, SelectionKey.OP_READ);
    prevKey = fromPrev.register(selector, 0);
    int payloadBytes = config.chunkBytes(); // a whole number of wire elements
    sending = new WireFrame(payloadBytes);
    received = new WireFrame(payloadBytes);
    sending.bytes.limit(0); // nothing in flight
    stalls = new Stalls(config.timeout().toNanos());
    failures =
        new RingFailures(
            rank,
            RingLinks.describe(Math.floorMod(rank - 1, worldSize), peers),
            RingLinks.describe((rank + 1) % worldSize, peers),
            toNext,
            fromPrev,
            sending.bytes,
            stalls);
  }

  /** Takes over both connections of {@code links}; closes them if the selector cannot be set up. */
  static RingEventLoop open(
      int rank, List<PeerAddress> peers, AllReduceConfig config, RingLinks links) {
    Selector selector = null;
    try {
      selector = Selector.open();
      return new RingEventLoop(rank, peers, config, links, selector);
    } catch (IOException e) {
      RingLinks.closeQuietly(selector);
      RingLinks.closeQuietly(links.toNext);
      RingLinks.closeQuietly(links.fromPrev);
      throw new AllReduceException(
          "Rank " + rank + ": cannot set up the all-reduce selector: " + e.getMessage(), e);
    }
  }

  ArrayDeque<Outgoing> outbox() {
    return outbox;
  }

  WireFrame received() {
    return received;
  }

  WireKernels kernels() {
    return kernels;
  }

  RingFailures failures() {
    return failures;
  }

  /** Sends {@code goodbye} to both neighbours unless the ring already failed, then closes. */
  void close(String goodbye) {
    failures.closing(goodbye);
    RingLinks.closeQuietly(toNext);
    RingLinks.closeQuietly(fromPrev);
    RingLinks.closeQuietly(selector);
  }

  /**
   * Runs one collective to the end: reads every frame {@code schedule} expects from the previous
   * rank and writes every outgoing frame to the next rank, interleaved, never blocking on one
   * socket while the other could move.
   */
  void run(Schedule schedule) {
    try {
      boolean reading = schedule.advance();
      int frameBytes = 0;
      int consumed = 0; // elements of the current frame already handed to the schedule
      boolean headerChecked = false;
      if (reading) {
        frameBytes = beginRead(schedule);
      }
      stalls.reset();
      while (reading || sending.bytes.hasRemaining() || !outbox.isEmpty()) {
        boolean progress = false;
        boolean writing = sending.bytes.hasRemaining() || !outbox.isEmpty();
        if (writing) {
          if (!sending.bytes.hasRemaining()) {
            schedule.encode(outbox.poll(), sending);
          }
          if (write(schedule) > 0) {
            progress = true;
            stalls.writeProgressed();
          }
        }
        if (reading) {
          int n = read(schedule);
          if (n < 0) {
            throw failures.peerClosed(failures.previous(), schedule);
          }
          if (n > 0) {
            progress = true;
            stalls.readProgressed();
            if (!headerChecked && received.bytes.position() >= Frames.HEADER_BYTES) {
              checkFrameHeader(schedule); // throws on ABORT or protocol errors
              headerChecked = true;
            }
            if (headerChecked) {
              int available =
                  (received.bytes.position() - Frames.HEADER_BYTES) / schedule.elementBytes();
              if (available > consumed) {
                schedule.consume(consumed, available);
                consumed = available;
              }
              if (received.bytes.position() == frameBytes) {
                schedule.complete();
                reading = schedule.advance();
                consumed = 0;
                headerChecked = false;
                if (reading) {
                  frameBytes = beginRead(schedule);
                }
              }
            }
          }
        }
        if (progress) {
          continue;
        }
        waitForEitherSocket(schedule, reading);
      }
    } catch (IOException e) { // the selector itself
      throw failures.selectorFailed(e);
    } catch (AllReduceException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failures.internalError(schedule, e);
    }
  }

  /**
   * Nothing moved: waits for either socket, at most until the older stall hits the timeout (and
   * fails the call when it has), then reads any notice the next rank sent.
   */
  private void waitForEitherSocket(Schedule schedule, boolean reading) throws IOException {
    long now = System.nanoTime();
    boolean writing = sending.bytes.hasRemaining() || !outbox.isEmpty();
    stalls.stalled(now, reading, writing);
    if (reading && stalls.readTimedOut(now)) {
      throw failures.timedOut(
          "waiting for data from " + failures.previous() + " (nothing arrived)",
          schedule,
          received.bytes.position() == 0);
    }
    if (writing && stalls.writeTimedOut(now)) {
      throw failures.timedOut(
          "waiting for " + failures.next() + " to accept data (its receive window stayed full)",
          schedule,
          false);
    }
    long waitMillis = stalls.waitMillis(now, reading, writing);
    nextKey.interestOps(SelectionKey.OP_READ | (writing ? SelectionKey.OP_WRITE : 0));
    prevKey.interestOps(reading ? SelectionKey.OP_READ : 0);
    selector.select(waitMillis);
    boolean noticeFromNext = nextKey.isValid() && nextKey.isReadable();
    selector.selectedKeys().clear();
    now = System.nanoTime();
    if (reading && stalls.readTimedOut(now)) {
      return; // our own timeout first: it says more than a neighbour's that raced it
    }
    if (writing && stalls.writeTimedOut(now)) {
      return;
    }
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw failures.interrupted(schedule, null);
    }
    if (noticeFromNext) {
      failures.readNoticeFromNext(schedule); // throws on ABORT or end of stream
    }
  }

  private int write(Schedule schedule) {
    try {
      return toNext.write(sending.bytes);
    } catch (ClosedByInterruptException e) {
      throw failures.interrupted(schedule, e);
    } catch (IOException e) {
      throw failures.lostConnection(e, failures.next(), "sending to", schedule);
    }
  }

  private int read(Schedule schedule) {
    try {
      return fromPrev.read(received.bytes);
    } catch (ClosedByInterruptException e) {
      throw failures.interrupted(schedule, e);
    } catch (IOException e) {
      throw failures.lostConnection(e, failures.previous(), "receiving from", schedule);
    }
  }

  private int beginRead(Schedule schedule) {
    int frameBytes = Frames.HEADER_BYTES + schedule.expectedPayloadBytes();
    received.bytes.clear().limit(frameBytes);
    return frameBytes;
  }

  private void checkFrameHeader(Schedule schedule) {
    int kind = received.bytes.getInt(0);
    int length = received.bytes.getInt(4);
    if (kind == Frames.ABORT) {
      throw failures.abortFromPrevious(received.bytes, length, schedule);
    }
    if (kind != schedule.expectedKind() || length != schedule.expectedPayloadBytes()) {
      throw failures.protocolError(
          "expected a "
              + Frames.kindName(schedule.expectedKind())
              + " frame of "
              + schedule.expectedPayloadBytes()
              + " bytes from "
              + failures.previous()
              + " but got "
              + Frames.kindName(kind)
              + " of "
              + length
              + " bytes during "
              + schedule.describe());
    }
  }
}
