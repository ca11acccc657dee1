package org.llamapro.train.allreduce;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ring all-reduce over TCP between the ranks of a data-parallel job.
 *
 * <p><b>Rendezvous contract.</b> Before building, every rank binds a {@link ServerSocketChannel}
 * and publishes its {@code host:port} once (in the Spark job: {@code
 * BarrierTaskContext.allGather}); every rank then builds with the same list of addresses (index =
 * rank) and its bound socket. {@link Builder#build()} connects to rank + 1, accepts rank - 1 and
 * checks both handshakes; from then on ranks talk directly, and nothing but the addresses went
 * through the rendezvous.
 *
 * <p><b>Algorithm.</b> A buffer is reduced in buckets of at most {@code bucketBytes}; each bucket
 * is cut into W segments (sizes differ by at most one element) and goes through W - 1
 * reduce-scatter steps (receive a segment, add it to ours, pass the sum on) and W - 1 all-gather
 * steps (pass the finished segments around). The rank that completes a segment divides it by W once
 * (and, on an F16 wire, rounds its own copy the way the others will receive it), so every rank ends
 * with bit-identical means. Each rank sends and receives 2(W-1)/W of the buffer.
 *
 * <p><b>Pipelining.</b> Segments travel in chunks of {@code chunkBytes}. One thread (the caller)
 * drives both sockets without blocking: it writes the next ready chunk while the kernel moves
 * earlier ones, and adds received elements into the buffer as soon as they arrive. A chunk becomes
 * ready to forward as soon as it has been received and summed, so step s + 1 of the ring starts
 * before step s ends and the whole exchange streams.
 *
 * <p><b>Failure.</b> Every socket wait has the timeout: a direction that makes no progress for that
 * long fails the call with a message naming the peer (rank, host:port) and what was awaited. A peer
 * that closes its connection fails the call at once. A failing rank tells both neighbours why (an
 * ABORT frame) before closing, so the reason travels around the ring; after a failure the instance
 * is unusable. A length or operation mismatch between ranks is detected in a small header exchange
 * before any data moves: it fails every rank with the same message and leaves the ring usable.
 *
 * <p>Not thread-safe: one thread per rank makes the calls (and closes the ring when done).
 */
public final class RingAllReduce implements AllReduce {
  private static final Logger LOG = LoggerFactory.getLogger(RingAllReduce.class);

  private final int rank;
  private final int worldSize;
  private final List<PeerAddress> peers;
  private final AllReduceConfig config;
  private final long timeoutNanos;
  private final int chunkElements;
  private final int bucketElements;

  // Null when worldSize == 1.
  private final SocketChannel toNext;
  private final SocketChannel fromPrev;
  private final Selector selector;
  private final SelectionKey nextKey;
  private final SelectionKey prevKey;

  // Frames being written and read; payload views start after the 8-byte frame header.
  private final ByteBuffer sendFrame;
  private final FloatBuffer sendFloats;
  private final ShortBuffer sendHalves;
  private final ByteBuffer recvFrame;
  private final FloatBuffer recvFloats;
  private final ShortBuffer recvHalves;
  private final ByteBuffer notice = Frames.small(Frames.HEADER_BYTES + Frames.MAX_ABORT_BYTES);
  private final WireKernels kernels = new WireKernels();

  /** Frames ready to send, in stream order; the receiver expects exactly this order. */
  private final ArrayDeque<Outgoing> outbox = new ArrayDeque<>();

  private long calls;
  private String broken;
  private boolean closed;

  /** Where the current collective is, for messages. */
  private String activity = "idle";

  /** When reading / writing stopped making progress (System.nanoTime), or 0. */
  private long readStalledSince;

  private long writeStalledSince;

  private RingAllReduce(
      int rank, List<PeerAddress> peers, AllReduceConfig config, RingLinks links, Selector selector)
      throws IOException {
    this.rank = rank;
    this.worldSize = peers.size();
    this.peers = peers;
    this.config = config;
    this.timeoutNanos = config.timeout().toNanos();
    this.chunkElements = config.chunkBytes() / config.wireType().bytes();
    this.bucketElements = (int) Math.min(Integer.MAX_VALUE, config.bucketBytes() / Float.BYTES);
    this.selector = selector;
    if (links == null) {
      toNext = null;
      fromPrev = null;
      nextKey = null;
      prevKey = null;
      sendFrame = recvFrame = null;
      sendFloats = recvFloats = null;
      sendHalves = recvHalves = null;
      return;
    }
    toNext = links.toNext;
    fromPrev = links.fromPrev;
    nextKey = toNext.register(selector, SelectionKey.OP_READ);
    prevKey = fromPrev.register(selector, 0);
    int frameBytes = Frames.HEADER_BYTES + chunkElements * config.wireType().bytes();
    sendFrame = ByteBuffer.allocateDirect(frameBytes).order(ByteOrder.LITTLE_ENDIAN);
    recvFrame = ByteBuffer.allocateDirect(frameBytes).order(ByteOrder.LITTLE_ENDIAN);
    sendFrame.limit(0); // nothing in flight
    ByteBuffer sendPayload = payloadView(sendFrame);
    ByteBuffer recvPayload = payloadView(recvFrame);
    sendFloats = sendPayload.asFloatBuffer();
    sendHalves = sendPayload.asShortBuffer();
    recvFloats = recvPayload.asFloatBuffer();
    recvHalves = recvPayload.asShortBuffer();
  }

  private static ByteBuffer payloadView(ByteBuffer frame) {
    return frame
        .duplicate()
        .clear()
        .position(Frames.HEADER_BYTES)
        .slice()
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return worldSize;
  }

  /** The settings in use (the same on every rank: the handshake checked). */
  public AllReduceConfig config() {
    return config;
  }

  @Override
  public void allReduceMean(FloatBuffer buf) {
    requireNonNull(buf, "buf is null");
    if (buf.isReadOnly()) {
      throw new IllegalArgumentException("Rank " + rank + ": all-reduce buffer is read-only");
    }
    checkUsable();
    long call = ++calls;
    if (worldSize == 1) {
      return; // the mean over one rank
    }
    FloatBuffer data = buf.slice();
    exchangeHeaders(Frames.OP_ALL_REDUCE, call, data.remaining());
    if (data.remaining() > 0) {
      pump(new ReduceSchedule(data, call), "all-reduce call #" + call);
    }
    activity = "idle";
  }

  @Override
  public void barrier() {
    checkUsable();
    long call = ++calls;
    if (worldSize > 1) {
      exchangeHeaders(Frames.OP_BARRIER, call, 0);
      activity = "idle";
    }
  }

  /** Every rank's listening address, index = rank. */
  public List<PeerAddress> peers() {
    return peers;
  }

  /**
   * Closes both connections. Neighbours still waiting on this rank fail at once; when this rank has
   * not failed itself, they are told it closed.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (broken == null && toNext != null) {
      sendNotices(
          "Rank " + rank + " (" + peers.get(rank) + ") closed its all-reduce (" + activity + ")");
    }
    closed = true;
    RingLinks.closeQuietly(toNext);
    RingLinks.closeQuietly(fromPrev);
    RingLinks.closeQuietly(selector);
  }

  /** Tests: drops both connections without a word, as a crashed process would. */
  void dropConnectionsForTest() {
    RingLinks.closeQuietly(toNext);
    RingLinks.closeQuietly(fromPrev);
  }

  private void checkUsable() {
    if (broken != null) {
      throw new AllReduceException(
          "Rank " + rank + ": the all-reduce ring is unusable after an earlier failure: " + broken);
    }
    if (closed) {
      throw new IllegalStateException("Rank " + rank + ": the all-reduce ring is closed");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Header exchange: every rank learns every rank's (operation, call number, length) before data
  // moves, so a mismatch fails all ranks alike and leaves the streams in step.

  private void exchangeHeaders(int op, long call, int count) {
    HeaderSchedule headers = new HeaderSchedule(op, call, count);
    pump(headers, "header exchange of call #" + call);
    headers.check();
  }

  private final class HeaderSchedule implements Schedule {
    private final int[] ops = new int[worldSize];
    private final long[] sequences = new long[worldSize];
    private final long[] counts = new long[worldSize];
    private final boolean[] seen = new boolean[worldSize];
    private final long call;
    private int received;

    HeaderSchedule(int op, long call, int count) {
      this.call = call;
      record(rank, op, call, count);
      outbox.add(Outgoing.call(rank, op, call, count));
    }

    private void record(int origin, int op, long sequence, long count) {
      ops[origin] = op;
      sequences[origin] = sequence;
      counts[origin] = count;
      seen[origin] = true;
    }

    @Override
    public boolean advance() {
      return received < worldSize - 1;
    }

    @Override
    public int expectedKind() {
      return Frames.CALL;
    }

    @Override
    public int expectedPayloadBytes() {
      return Frames.CALL_BYTES;
    }

    @Override
    public void consume(int fromElement, int toElement) {}

    @Override
    public int elementBytes() {
      return Frames.CALL_BYTES;
    }

    @Override
    public void complete() {
      ByteBuffer payload = recvFrame.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      payload.position(Frames.HEADER_BYTES);
      int origin = payload.getInt();
      int op = payload.getInt();
      long sequence = payload.getLong();
      long count = payload.getLong();
      if (origin < 0 || origin >= worldSize || seen[origin]) {
        throw protocolError("header of call #" + call + " names origin rank " + origin);
      }
      record(origin, op, sequence, count);
      received++;
      if (received < worldSize - 1) {
        outbox.add(Outgoing.call(origin, op, sequence, count)); // pass it on around the ring
      }
    }

    @Override
    public String describe() {
      return "header exchange of call #" + call;
    }

    void check() {
      for (int r = 0; r < worldSize; r++) {
        if (ops[r] != ops[0] || sequences[r] != sequences[0]) {
          StringJoiner all = new StringJoiner(", ");
          for (int i = 0; i < worldSize; i++) {
            all.add("rank " + i + " called " + Frames.opName(ops[i]) + " as call #" + sequences[i]);
          }
          throw new IllegalStateException(
              "Collective mismatch at call #"
                  + call
                  + ": every rank must make the same calls in the same order, but "
                  + all);
        }
      }
      for (int r = 0; r < worldSize; r++) {
        if (counts[r] != counts[0]) {
          StringJoiner all = new StringJoiner(", ");
          for (int i = 0; i < worldSize; i++) {
            all.add("rank " + i + " has " + counts[i]);
          }
          throw new IllegalArgumentException(
              "Buffer length mismatch in all-reduce call #"
                  + call
                  + ": every rank must pass the same number of floats, but "
                  + all);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The reduction schedule: which frames arrive in which order and what to do with each.

  private final class ReduceSchedule implements Schedule {
    private final FloatBuffer data;
    private final long call;
    private final int buckets;
    private final int[] segmentStart = new int[worldSize];
    private final int[] segmentLength = new int[worldSize];
    private int bucket = -1;
    private int bucketStart;
    private int bucketLength;

    /** 0..W-2 reduce-scatter, W-1..2W-3 all-gather; 2W-2 = bucket done. */
    private int step;

    private int chunkStart; // absolute index into data
    private int chunkLength;

    ReduceSchedule(FloatBuffer data, long call) {
      this.data = data;
      this.call = call;
      this.buckets = (int) ((data.remaining() + (long) bucketElements - 1) / bucketElements);
      startBucket(0);
    }

    private void startBucket(int index) {
      bucket = index;
      bucketStart = (int) Math.min((long) index * bucketElements, data.remaining());
      bucketLength = Math.min(bucketElements, data.remaining() - bucketStart);
      for (int s = 0; s < worldSize; s++) {
        int from = (int) ((long) bucketLength * s / worldSize);
        int to = (int) ((long) bucketLength * (s + 1) / worldSize);
        segmentStart[s] = bucketStart + from;
        segmentLength[s] = to - from;
      }
      // Reduce-scatter step 0 sends our own segment as it is; everything else waits for input.
      int own = rank;
      for (int at = 0; at < segmentLength[own]; at += chunkElements) {
        int length = Math.min(chunkElements, segmentLength[own] - at);
        outbox.add(Outgoing.data(segmentStart[own] + at, length));
      }
      step = 0;
      chunkStart = -1;
    }

    /** The segment received at {@code step}. */
    private int receivedSegment(int step) {
      int back = step < worldSize - 1 ? step + 1 : step - (worldSize - 1);
      return Math.floorMod(rank - back, worldSize);
    }

    @Override
    public boolean advance() {
      while (true) {
        if (step < 2 * worldSize - 2) {
          int segment = receivedSegment(step);
          int segmentEnd = segmentStart[segment] + segmentLength[segment];
          int nextStart = chunkStart < 0 ? segmentStart[segment] : chunkStart + chunkLength;
          if (nextStart < segmentEnd) {
            chunkStart = nextStart;
            chunkLength = Math.min(chunkElements, segmentEnd - nextStart);
            return true;
          }
          step++;
          chunkStart = -1;
        } else if (bucket + 1 < buckets) {
          startBucket(bucket + 1);
        } else {
          return false;
        }
      }
    }

    @Override
    public int expectedKind() {
      return Frames.DATA;
    }

    @Override
    public int expectedPayloadBytes() {
      return chunkLength * config.wireType().bytes();
    }

    @Override
    public int elementBytes() {
      return config.wireType().bytes();
    }

    @Override
    public void consume(int from, int to) {
      boolean reduce = step < worldSize - 1;
      if (config.wireType() == WireType.F32) {
        if (reduce) {
          kernels.addF32(data, chunkStart, recvFloats, from, to);
        } else {
          kernels.copyF32(data, chunkStart, recvFloats, from, to);
        }
      } else if (reduce) {
        kernels.addF16(data, chunkStart, recvHalves, from, to);
      } else {
        kernels.decodeF16(data, chunkStart, recvHalves, from, to);
      }
    }

    @Override
    public void complete() {
      if (step == worldSize - 2) {
        // Our segment is now the sum over all ranks: take the mean once, and on an F16 wire keep
        // exactly what the others will receive, so all ranks end bit-identical.
        kernels.mean(data, chunkStart, chunkLength, worldSize, config.wireType() == WireType.F16);
      }
      if (step < 2 * worldSize - 3) {
        outbox.add(Outgoing.data(chunkStart, chunkLength)); // forward to the next rank
      }
    }

    @Override
    public String describe() {
      String phase =
          step < worldSize - 1
              ? "reduce-scatter step " + (step + 1) + "/" + (worldSize - 1)
              : "all-gather step " + (step - worldSize + 2) + "/" + (worldSize - 1);
      return "all-reduce call #"
          + call
          + " of "
          + data.remaining()
          + " floats ("
          + phase
          + ", bucket "
          + (bucket + 1)
          + "/"
          + buckets
          + ")";
    }

    /** Encodes one chunk of {@code data} into the send frame's payload. */
    void encode(int start, int length) {
      if (config.wireType() == WireType.F32) {
        kernels.encodeF32(data, start, length, sendFloats);
      } else {
        kernels.encodeF16(data, start, length, sendHalves);
      }
    }
  }

  /** What the event loop needs to know about the incoming stream of one collective. */
  private interface Schedule {
    /** Moves to the next expected incoming frame; false when none is left. */
    boolean advance();

    int expectedKind();

    int expectedPayloadBytes();

    /** Unit of incremental processing, in payload bytes. */
    int elementBytes();

    /** Elements {@code [from, to)} of the current frame's payload have arrived. */
    void consume(int from, int to);

    /** The current frame has fully arrived (after all of its elements were consumed). */
    void complete();

    String describe();
  }

  /** A frame waiting to be sent: a data chunk of the current buffer or a call header. */
  private record Outgoing(int kind, int start, int length, int origin, int op, long sequence) {
    static Outgoing data(int start, int length) {
      return new Outgoing(Frames.DATA, start, length, 0, 0, 0);
    }

    static Outgoing call(int origin, int op, long sequence, long count) {
      return new Outgoing(Frames.CALL, 0, (int) count, origin, op, sequence);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The event loop.

  /**
   * Runs one collective to the end: reads every frame {@code schedule} expects from the previous
   * rank and writes every outgoing frame to the next rank, interleaved, never blocking on one
   * socket while the other could move.
   */
  private void pump(Schedule schedule, String what) {
    activity = what;
    try {
      boolean reading = schedule.advance();
      int frameBytes = 0;
      int consumed = 0; // elements of the current frame already handed to the schedule
      boolean headerChecked = false;
      if (reading) {
        frameBytes = beginRead(schedule);
      }
      readStalledSince = 0;
      writeStalledSince = 0;
      while (reading || sendFrame.hasRemaining() || !outbox.isEmpty()) {
        boolean progress = false;
        boolean writing = sendFrame.hasRemaining() || !outbox.isEmpty();
        if (writing) {
          if (!sendFrame.hasRemaining()) {
            fill(schedule, outbox.poll());
          }
          if (write(schedule) > 0) {
            progress = true;
            writeStalledSince = 0;
          }
        }
        if (reading) {
          int n = read(schedule);
          if (n < 0) {
            throw peerClosed(previous(), schedule);
          }
          if (n > 0) {
            progress = true;
            readStalledSince = 0;
            if (!headerChecked && recvFrame.position() >= Frames.HEADER_BYTES) {
              checkFrameHeader(schedule); // throws on ABORT or protocol errors
              headerChecked = true;
            }
            if (headerChecked) {
              int available =
                  (recvFrame.position() - Frames.HEADER_BYTES) / schedule.elementBytes();
              if (available > consumed) {
                schedule.consume(consumed, available);
                consumed = available;
              }
              if (recvFrame.position() == frameBytes) {
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
        // Nothing moved: wait for either socket, at most until the older stall hits the timeout.
        long now = System.nanoTime();
        writing = sendFrame.hasRemaining() || !outbox.isEmpty();
        if (writing && writeStalledSince == 0) {
          writeStalledSince = now;
        }
        if (reading && readStalledSince == 0) {
          readStalledSince = now;
        }
        if (reading && now - readStalledSince >= timeoutNanos) {
          throw timedOut(
              "waiting for data from " + previous() + " (nothing arrived)", schedule, true);
        }
        if (writing && now - writeStalledSince >= timeoutNanos) {
          throw timedOut(
              "waiting for " + next() + " to accept data (its receive window stayed full)",
              schedule,
              false);
        }
        long wait = Long.MAX_VALUE;
        if (reading) {
          wait = Math.min(wait, readStalledSince + timeoutNanos - now);
        }
        if (writing) {
          wait = Math.min(wait, writeStalledSince + timeoutNanos - now);
        }
        nextKey.interestOps(SelectionKey.OP_READ | (writing ? SelectionKey.OP_WRITE : 0));
        prevKey.interestOps(reading ? SelectionKey.OP_READ : 0);
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
        boolean noticeFromNext = nextKey.isValid() && nextKey.isReadable();
        selector.selectedKeys().clear();
        now = System.nanoTime();
        if (reading && now - readStalledSince >= timeoutNanos) {
          continue; // our own timeout first: it says more than a neighbour's that raced it
        }
        if (writing && now - writeStalledSince >= timeoutNanos) {
          continue;
        }
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          throw failed(
              "Rank " + rank + ": interrupted during " + schedule.describe(), null, null, false);
        }
        if (noticeFromNext) {
          readNoticeFromNext(schedule); // throws on ABORT or end of stream
        }
      }
    } catch (IOException e) { // the selector itself
      throw failed("Rank " + rank + ": selector failed: " + e, null, e, false);
    } catch (AllReduceException e) {
      throw e;
    } catch (RuntimeException e) {
      // A bug must not leave a half-done collective looking usable.
      throw failed(
          "Rank " + rank + ": internal error during " + schedule.describe() + ": " + e,
          null,
          e,
          false);
    }
  }

  private int write(Schedule schedule) {
    try {
      return toNext.write(sendFrame);
    } catch (ClosedByInterruptException e) {
      throw failed("Rank " + rank + ": interrupted during " + schedule.describe(), null, e, false);
    } catch (IOException e) {
      throw lostConnection(e, next(), "sending to", schedule);
    }
  }

  private int read(Schedule schedule) {
    try {
      return fromPrev.read(recvFrame);
    } catch (ClosedByInterruptException e) {
      throw failed("Rank " + rank + ": interrupted during " + schedule.describe(), null, e, false);
    } catch (IOException e) {
      throw lostConnection(e, previous(), "receiving from", schedule);
    }
  }

  private int beginRead(Schedule schedule) {
    int frameBytes = Frames.HEADER_BYTES + schedule.expectedPayloadBytes();
    recvFrame.clear().limit(frameBytes);
    return frameBytes;
  }

  /** Puts the next outgoing frame into the send buffer. */
  private void fill(Schedule schedule, Outgoing out) {
    sendFrame.clear();
    if (out.kind() == Frames.CALL) {
      sendFrame.putInt(Frames.CALL).putInt(Frames.CALL_BYTES);
      sendFrame.putInt(out.origin()).putInt(out.op()).putLong(out.sequence()).putLong(out.length());
      sendFrame.flip();
      return;
    }
    int payloadBytes = out.length() * config.wireType().bytes();
    sendFrame.putInt(0, Frames.DATA).putInt(4, payloadBytes);
    ((ReduceSchedule) schedule).encode(out.start(), out.length());
    sendFrame.position(0).limit(Frames.HEADER_BYTES + payloadBytes);
  }

  private void checkFrameHeader(Schedule schedule) throws IOException {
    int kind = recvFrame.getInt(0);
    int length = recvFrame.getInt(4);
    if (kind == Frames.ABORT) {
      String reason = readAbortReason(fromPrev, recvFrame, length);
      throw peerAborted(previous(), reason, schedule);
    }
    if (kind != schedule.expectedKind() || length != schedule.expectedPayloadBytes()) {
      throw protocolError(
          "expected a "
              + Frames.kindName(schedule.expectedKind())
              + " frame of "
              + schedule.expectedPayloadBytes()
              + " bytes from "
              + previous()
              + " but got "
              + Frames.kindName(kind)
              + " of "
              + length
              + " bytes during "
              + schedule.describe());
    }
  }

  /**
   * Reads the rest of an ABORT frame whose header is already in {@code frame}. The peer closes
   * right after it, so this waits at most briefly.
   */
  private String readAbortReason(SocketChannel channel, ByteBuffer frame, int length)
      throws IOException {
    int end = Frames.HEADER_BYTES + Math.max(0, Math.min(length, Frames.MAX_ABORT_BYTES));
    if (end > frame.capacity()) {
      end = frame.capacity();
    }
    if (frame.position() > end) {
      frame.position(end);
    }
    frame.limit(end);
    long deadline = System.nanoTime() + Math.min(timeoutNanos, TimeUnit.SECONDS.toNanos(1));
    while (frame.hasRemaining() && System.nanoTime() < deadline) {
      if (channel.read(frame) < 0) {
        break;
      }
      if (frame.hasRemaining()) {
        sleepBriefly();
      }
    }
    byte[] text = new byte[frame.position() - Frames.HEADER_BYTES];
    frame.duplicate().position(Frames.HEADER_BYTES).limit(frame.position()).get(text);
    return new String(text, StandardCharsets.UTF_8);
  }

  /** The next rank only ever sends us an ABORT frame, or closes. */
  private void readNoticeFromNext(Schedule schedule) throws IOException {
    int n = toNext.read(notice);
    if (n < 0) {
      throw peerClosed(next(), schedule);
    }
    if (notice.position() >= Frames.HEADER_BYTES) {
      int kind = notice.getInt(0);
      if (kind != Frames.ABORT) {
        throw protocolError(
            "unexpected " + Frames.kindName(kind) + " frame from " + next() + " (expected none)");
      }
      String reason = readAbortReason(toNext, notice, notice.getInt(4));
      throw peerAborted(next(), reason, schedule);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Failures. Each marks the ring broken, tells both neighbours the root reason, and closes.

  private String previous() {
    return RingLinks.describe(Math.floorMod(rank - 1, worldSize), peers);
  }

  private String next() {
    return RingLinks.describe((rank + 1) % worldSize, peers);
  }

  private AllReduceException timedOut(String waitingFor, Schedule schedule, boolean reading) {
    String message =
        "Rank "
            + rank
            + ": timed out after "
            + formatNanos(timeoutNanos)
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
    String reports = collectReports(reading);
    return failed(message + reports, message, null, true);
  }

  private AllReduceException peerClosed(String peer, Schedule schedule) {
    String message =
        "Rank "
            + rank
            + ": "
            + peer
            + " closed its connection during "
            + schedule.describe()
            + " (it failed, was stopped, or closed its all-reduce; see its log)"
            + stallNote();
    return failed(message, message, null, false);
  }

  private AllReduceException peerAborted(String peer, String reason, Schedule schedule) {
    String message =
        "Rank "
            + rank
            + ": "
            + peer
            + " aborted during "
            + schedule.describe()
            + ": "
            + reason
            + stallNote();
    return failed(message, reason, null, false);
  }

  private AllReduceException lostConnection(
      IOException e, String peer, String action, Schedule schedule) {
    if (broken != null) {
      return new AllReduceException(broken, e);
    }
    // A reset on write usually follows an ABORT from the next rank: prefer its reason.
    String reason = peer.equals(next()) ? pollNotice(toNext, notice) : null;
    String message =
        reason != null
            ? "Rank "
                + rank
                + ": "
                + peer
                + " aborted during "
                + schedule.describe()
                + ": "
                + reason
            : "Rank "
                + rank
                + ": lost the connection to "
                + peer
                + " while "
                + action
                + " it during "
                + schedule.describe()
                + ": "
                + e;
    return failed(message, reason != null ? reason : message, e, false);
  }

  /**
   * What this rank itself was waiting for when a neighbour gave up: when two ranks time out at
   * about the same moment, the one that heard first still names the rank it was stuck on.
   */
  private String stallNote() {
    long now = System.nanoTime();
    // Short waits are the normal rhythm of a ring; only long ones point at a culprit.
    long worth = Math.min(timeoutNanos / 2, TimeUnit.SECONDS.toNanos(1));
    StringBuilder note = new StringBuilder();
    if (readStalledSince != 0 && now - readStalledSince >= worth) {
      note.append("; this rank had waited ")
          .append(TimeUnit.NANOSECONDS.toMillis(now - readStalledSince))
          .append(" ms for data from ")
          .append(previous());
    }
    if (writeStalledSince != 0 && now - writeStalledSince >= worth) {
      note.append("; this rank had waited ")
          .append(TimeUnit.NANOSECONDS.toMillis(now - writeStalledSince))
          .append(" ms for ")
          .append(next())
          .append(" to accept data");
    }
    return note.toString();
  }

  private AllReduceException protocolError(String detail) {
    String message =
        "Rank " + rank + ": all-reduce protocol error: " + detail + " (ranks out of step?)";
    return failed(message, message, null, false);
  }

  /**
   * Marks the ring broken, tells both neighbours {@code rootReason} and half-closes both
   * connections (FIN after the ABORT frame, so the neighbours read the reason before the end of
   * stream). The sockets stay open until {@link #close()}: closing with unread input would send a
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
      if (channel != null && channel.isOpen()) {
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
    if (toNext == null || closed) {
      return;
    }
    try {
      fromPrev.write(Frames.abort(reason));
    } catch (IOException | RuntimeException ignored) {
      // The previous rank may be gone already.
    }
    try {
      long deadline = System.nanoTime() + Math.min(timeoutNanos / 4, 500_000_000L);
      while (sendFrame.hasRemaining() && System.nanoTime() < deadline) {
        if (toNext.write(sendFrame) == 0) {
          Thread.sleep(1);
        }
      }
      if (!sendFrame.hasRemaining()) {
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
  private String collectReports(boolean readingBetweenFrames) {
    long grace = Math.min(timeoutNanos / 4, TimeUnit.SECONDS.toNanos(1));
    long deadline = System.nanoTime() + grace;
    ByteBuffer fromPrevNotice = Frames.small(Frames.HEADER_BYTES + Frames.MAX_ABORT_BYTES);
    boolean prevAtBoundary = readingBetweenFrames && recvFrame.position() == 0;
    StringBuilder reports = new StringBuilder();
    Set<String> done = new HashSet<>();
    while (System.nanoTime() < deadline && done.size() < 2) {
      if (prevAtBoundary && !done.contains("prev")) {
        String reason = pollNotice(fromPrev, fromPrevNotice);
        if (reason != null) {
          done.add("prev");
          reports.append("; ").append(previous()).append(" reported: ").append(reason);
        }
      } else {
        done.add("prev");
      }
      if (!done.contains("next")) {
        String reason = pollNotice(toNext, notice);
        if (reason != null) {
          done.add("next");
          reports.append("; ").append(next()).append(" reported: ").append(reason);
        }
      }
      sleepBriefly();
    }
    return reports.toString();
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

  static String formatNanos(long nanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  @Override
  public String toString() {
    return "RingAllReduce[rank "
        + rank
        + "/"
        + worldSize
        + ", "
        + config.wireType()
        + ", "
        + (broken != null ? "broken" : closed ? "closed" : activity)
        + "]";
  }

  /**
   * Builds and connects one rank of the ring. Required: {@code setRank}, {@code setPeers}, and,
   * when there is more than one rank, {@code setServerSocket}. The ring owns the server socket and
   * closes it once its predecessor is connected.
   */
  public static final class Builder {
    private Integer rank;
    private List<PeerAddress> peers;
    private ServerSocketChannel serverSocket;
    private Duration timeout = AllReduceConfig.TIMEOUT_DEFAULT;
    private int chunkBytes = AllReduceConfig.CHUNK_BYTES_DEFAULT;
    private long bucketBytes = AllReduceConfig.BUCKET_BYTES_DEFAULT;
    private WireType wireType = AllReduceConfig.WIRE_DTYPE_DEFAULT;
    private long session;

    private Builder() {}

    public Builder setRank(int rank) {
      this.rank = rank;
      return this;
    }

    /** Every rank's listening address, index = rank: the result of the rendezvous. */
    public Builder setPeers(List<PeerAddress> peers) {
      this.peers = List.copyOf(requireNonNull(peers, "peers is null"));
      return this;
    }

    /** This rank's listening socket, already bound (its address is {@code peers[rank]}). */
    public Builder setServerSocket(ServerSocketChannel serverSocket) {
      this.serverSocket = requireNonNull(serverSocket, "serverSocket is null");
      return this;
    }

    /** All four settings at once, e.g. from {@link AllReduceConfig#from}. */
    public Builder optConfig(AllReduceConfig config) {
      requireNonNull(config, "config is null");
      this.timeout = config.timeout();
      this.chunkBytes = config.chunkBytes();
      this.bucketBytes = config.bucketBytes();
      this.wireType = config.wireType();
      return this;
    }

    public Builder optTimeout(Duration timeout) {
      this.timeout = requireNonNull(timeout, "timeout is null");
      return this;
    }

    public Builder optChunkBytes(int chunkBytes) {
      this.chunkBytes = chunkBytes;
      return this;
    }

    public Builder optBucketBytes(long bucketBytes) {
      this.bucketBytes = bucketBytes;
      return this;
    }

    public Builder optWireType(WireType wireType) {
      this.wireType = requireNonNull(wireType, "wireType is null");
      return this;
    }

    /**
     * An id every rank of one ring shares (e.g. the Spark stage attempt), so that a stale task of
     * an earlier attempt cannot join a new ring. Default 0.
     */
    public Builder optSessionId(long session) {
      this.session = session;
      return this;
    }

    /** Validates, then connects to both neighbours (blocking, at most the timeout). */
    public RingAllReduce build() {
      if (rank == null) {
        throw new IllegalArgumentException("Rank is not set (setRank)");
      }
      if (peers == null || peers.isEmpty()) {
        throw new IllegalArgumentException(
            "Peers are not set (setPeers: one host:port per rank, index = rank)");
      }
      int worldSize = peers.size();
      if (rank < 0 || rank >= worldSize) {
        throw new IllegalArgumentException(
            "Invalid rank: "
                + rank
                + " (must be 0.."
                + (worldSize - 1)
                + " for "
                + worldSize
                + " peers)");
      }
      AllReduceConfig config = new AllReduceConfig(timeout, chunkBytes, bucketBytes, wireType);
      if (config.chunkBytes() % wireType.bytes() != 0) {
        throw new IllegalArgumentException(
            "Invalid all-reduce chunk size: "
                + chunkBytes
                + " bytes (must be a multiple of "
                + wireType.bytes()
                + " for "
                + wireType
                + ")");
      }
      Set<PeerAddress> distinct = new HashSet<>();
      for (int r = 0; r < worldSize; r++) {
        if (!distinct.add(peers.get(r))) {
          throw new IllegalArgumentException(
              "Invalid peers: " + peers.get(r) + " appears twice (at rank " + r + "): " + peers);
        }
      }
      try {
        if (worldSize == 1) {
          RingLinks.closeQuietly(serverSocket);
          return new RingAllReduce(rank, peers, config, null, null);
        }
        if (serverSocket == null) {
          throw new IllegalArgumentException(
              "Server socket is not set (setServerSocket), needed with " + worldSize + " ranks");
        }
        int localPort = boundPort(serverSocket);
        if (localPort != peers.get(rank).port()) {
          RingLinks.closeQuietly(serverSocket);
          throw new IllegalArgumentException(
              "Rank "
                  + rank
                  + " listens on port "
                  + localPort
                  + " but its published address is "
                  + peers.get(rank)
                  + " (peers[rank] must be this rank's own address)");
        }
        long started = System.nanoTime();
        RingLinks.Hello self =
            new RingLinks.Hello(rank, worldSize, wireType, chunkBytes, bucketBytes, session);
        RingLinks links = RingLinks.open(self, peers, serverSocket, config.timeout().toNanos());
        Selector selector;
        try {
          selector = Selector.open();
          RingAllReduce ring = new RingAllReduce(rank, peers, config, links, selector);
          LOG.info(
              "All-reduce rank {}/{} connected: sends to {}, receives from {} ({} wire, {} byte"
                  + " chunks) in {} ms",
              rank,
              worldSize,
              ring.next(),
              ring.previous(),
              wireType,
              chunkBytes,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
          return ring;
        } catch (IOException e) {
          RingLinks.closeQuietly(links.toNext);
          RingLinks.closeQuietly(links.fromPrev);
          throw new AllReduceException(
              "Rank " + rank + ": cannot set up the all-reduce selector: " + e.getMessage(), e);
        }
      } catch (IOException e) {
        throw new AllReduceException(
            "Rank " + rank + ": cannot use the server socket: " + e.getMessage(), e);
      }
    }

    private static int boundPort(ServerSocketChannel server) throws IOException {
      if (!server.isOpen()) {
        throw new IllegalArgumentException("Server socket is closed");
      }
      if (server.getLocalAddress() == null) {
        throw new IllegalArgumentException("Server socket is not bound (bind it before build)");
      }
      return ((java.net.InetSocketAddress) server.getLocalAddress()).getPort();
    }
  }
}
