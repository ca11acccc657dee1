package org.llamapro.train.allreduce;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * <p>The parts: {@link RingLinks} connects and checks the HELLO, {@link HeaderExchange} runs the
 * per-call header exchange, {@link ReducePlan} says which chunk goes where, {@link ReduceSchedule}
 * moves the data along it, {@link RingEventLoop} drives the sockets and {@link RingFailures} turns
 * every failure into one message that reaches every rank.
 *
 * <p>Not thread-safe: one thread per rank makes the calls (and closes the ring when done).
 */
public final class RingAllReduce implements AllReduce {
  private static final Logger LOG = LoggerFactory.getLogger(RingAllReduce.class);

  private final int rank;
  private final int worldSize;
  private final List<PeerAddress> peers;
  private final AllReduceConfig config;

  /** Null when worldSize == 1. */
  private final RingEventLoop loop;

  private long calls;
  private boolean closed;

  /** Where the current collective is, for messages. */
  private String activity = "idle";

  private RingAllReduce(
      int rank, List<PeerAddress> peers, AllReduceConfig config, RingEventLoop loop) {
    this.rank = rank;
    this.worldSize = peers.size();
    this.peers = peers;
    this.config = config;
    this.loop = loop;
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
      activity = "all-reduce call #" + call;
      loop.run(
          new ReduceSchedule(
              rank, worldSize, config, data, call, loop.outbox(), loop.received(), loop.kernels()));
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

  /**
   * Every rank learns every rank's (operation, call number, length) before data moves, so a
   * mismatch fails all ranks alike and leaves the streams in step.
   */
  private void exchangeHeaders(int op, long call, int count) {
    activity = "header exchange of call #" + call;
    HeaderExchange headers =
        new HeaderExchange(
            rank, worldSize, op, call, count, loop.outbox(), loop.received(), loop.failures());
    loop.run(headers);
    headers.check();
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
    closed = true;
    if (loop != null) {
      loop.close(
          "Rank " + rank + " (" + peers.get(rank) + ") closed its all-reduce (" + activity + ")");
    }
  }

  private void checkUsable() {
    String broken = broken();
    if (broken != null) {
      throw new AllReduceException(
          "Rank " + rank + ": the all-reduce ring is unusable after an earlier failure: " + broken);
    }
    if (closed) {
      throw new IllegalStateException("Rank " + rank + ": the all-reduce ring is closed");
    }
  }

  private String broken() {
    return loop == null ? null : loop.failures().broken();
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
        + (broken() != null ? "broken" : closed ? "closed" : activity)
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
    private AllReduceConfig.Builder config = AllReduceConfig.builder();
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
      this.config = requireNonNull(config, "config is null").toBuilder();
      return this;
    }

    public Builder optTimeout(Duration timeout) {
      config.optTimeout(timeout);
      return this;
    }

    public Builder optChunkBytes(int chunkBytes) {
      config.optChunkBytes(chunkBytes);
      return this;
    }

    public Builder optBucketBytes(long bucketBytes) {
      config.optBucketBytes(bucketBytes);
      return this;
    }

    public Builder optWireType(WireType wireType) {
      config.optWireType(wireType);
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
      AllReduceConfig config = this.config.build();
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
          return new RingAllReduce(rank, peers, config, null);
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
      } catch (IOException e) {
        throw new AllReduceException(
            "Rank " + rank + ": cannot use the server socket: " + e.getMessage(), e);
      }
      long started = System.nanoTime();
      RingLinks.Hello self =
          new RingLinks.Hello(
              rank,
              worldSize,
              config.wireType(),
              config.chunkBytes(),
              config.bucketBytes(),
              session);
      RingLinks links = RingLinks.open(self, peers, serverSocket, config.timeout().toNanos());
      RingEventLoop loop = RingEventLoop.open(rank, peers, config, links);
      LOG.info(
          "All-reduce rank {}/{} connected: sends to {}, receives from {} ({} wire, {} byte"
              + " chunks) in {} ms",
          rank,
          worldSize,
          loop.failures().next(),
          loop.failures().previous(),
          config.wireType(),
          config.chunkBytes(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return new RingAllReduce(rank, peers, config, loop);
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
