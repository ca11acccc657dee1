package org.llamapro.train.allreduce;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens the two connections of one rank in the ring: it connects to rank + 1 (and sends data there)
 * and accepts rank - 1 (and receives data from there). Each connection starts with a HELLO both
 * ways that checks who is on the other end and that both sides use the same settings, because the
 * two sides must compute the same chunk schedule. Everything here gives up at one deadline.
 *
 * <p>Order matters to avoid a start-up deadlock: connect and send our HELLO (the peer's listening
 * socket queues the connection before it accepts), then accept and answer, then read the answer.
 */
final class RingLinks {
  /** The settings both ends of a connection must agree on, sent in the HELLO. */
  record Hello(
      int rank, int worldSize, WireType wireType, int chunkBytes, long bucketBytes, long session) {}

  final SocketChannel toNext;
  final SocketChannel fromPrev;

  private RingLinks(SocketChannel toNext, SocketChannel fromPrev) {
    this.toNext = toNext;
    this.fromPrev = fromPrev;
  }

  /** Connects the ring; closes {@code server} in all cases (it is only needed to accept once). */
  static RingLinks open(
      Hello self, List<PeerAddress> peers, ServerSocketChannel server, long timeoutNanos) {
    int rank = self.rank();
    int worldSize = self.worldSize();
    int next = (rank + 1) % worldSize;
    int prev = (rank + worldSize - 1) % worldSize;
    String nextName = describe(next, peers);
    String prevName = describe(prev, peers);
    long deadline = System.nanoTime() + timeoutNanos;
    SocketChannel toNext = null;
    SocketChannel fromPrev = null;
    try (server) {
      toNext = connect(rank, next, peers, deadline, timeoutNanos);
      write(toNext, hello(self), deadline, timeoutNanos, rank, "sending HELLO to " + nextName);
      fromPrev = accept(server, rank, prevName, deadline, timeoutNanos);
      String fromPrevWhat = "reading HELLO from the connection accepted for " + prevName;
      checkHello(read(fromPrev, deadline, timeoutNanos, rank, fromPrevWhat), self, prev, prevName);
      write(fromPrev, hello(self), deadline, timeoutNanos, rank, "answering HELLO of " + prevName);
      String fromNextWhat = "reading the HELLO answer of " + nextName;
      checkHello(read(toNext, deadline, timeoutNanos, rank, fromNextWhat), self, next, nextName);
      return new RingLinks(toNext, fromPrev);
    } catch (IOException | RuntimeException e) {
      closeQuietly(toNext);
      closeQuietly(fromPrev);
      if (e instanceof AllReduceException already) {
        throw already;
      }
      throw new AllReduceException(
          "Rank " + rank + ": cannot connect the all-reduce ring: " + e.getMessage(), e);
    }
  }

  static String describe(int rank, List<PeerAddress> peers) {
    return "rank " + rank + " (" + peers.get(rank) + ")";
  }

  private static SocketChannel connect(
      int rank, int next, List<PeerAddress> peers, long deadline, long timeoutNanos)
      throws IOException {
    String name = describe(next, peers);
    Exception last = null;
    while (true) {
      SocketChannel channel = SocketChannel.open();
      try {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (!channel.connect(peers.get(next).toSocketAddress())) {
          try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_CONNECT);
            long left = deadline - System.nanoTime();
            if (left > 0) {
              selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
          }
          if (!channel.finishConnect()) {
            throw timeout(rank, timeoutNanos, "connecting to " + name, last);
          }
        }
        return channel;
      } catch (IOException | UnresolvedAddressException e) {
        // Not listening yet, or the name does not resolve yet: retry until the deadline.
        closeQuietly(channel);
        last = e;
      } catch (RuntimeException e) {
        closeQuietly(channel);
        throw e;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw timeout(rank, timeoutNanos, "connecting to " + name, last);
      }
      sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 100), rank);
    }
  }

  private static SocketChannel accept(
      ServerSocketChannel server, int rank, String prevName, long deadline, long timeoutNanos)
      throws IOException {
    server.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      server.register(selector, SelectionKey.OP_ACCEPT);
      while (true) {
        SocketChannel channel = server.accept();
        if (channel != null) {
          channel.configureBlocking(false);
          channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
          return channel;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw timeout(rank, timeoutNanos, "accepting the connection of " + prevName, null);
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        selector.selectedKeys().clear();
      }
    }
  }

  private static ByteBuffer hello(Hello self) {
    ByteBuffer frame = Frames.small(Frames.HEADER_BYTES + Frames.HELLO_BYTES);
    frame.putInt(Frames.HELLO).putInt(Frames.HELLO_BYTES);
    frame.putInt(Frames.MAGIC).putInt(Frames.VERSION).putInt(self.rank()).putInt(self.worldSize());
    frame.putInt(self.wireType().ordinal()).putInt(self.chunkBytes());
    frame.putLong(self.bucketBytes()).putLong(self.session());
    return frame.flip();
  }

  private static void checkHello(ByteBuffer frame, Hello self, int expectedRank, String name) {
    int kind = frame.getInt();
    int length = frame.getInt();
    if (kind != Frames.HELLO
        || length != Frames.HELLO_BYTES
        || frame.getInt() != Frames.MAGIC
        || frame.getInt() != Frames.VERSION) {
      throw new AllReduceException(
          "Rank "
              + self.rank()
              + ": the peer expected as "
              + name
              + " did not answer with this ring's handshake (another program on that port, or"
              + " another version of this one)");
    }
    int rank = frame.getInt();
    int worldSize = frame.getInt();
    int wire = frame.getInt();
    int chunkBytes = frame.getInt();
    long bucketBytes = frame.getLong();
    long session = frame.getLong();
    StringBuilder problems = new StringBuilder();
    if (rank != expectedRank) {
      problems.append("; it is rank ").append(rank).append(", not ").append(expectedRank);
    }
    if (worldSize != self.worldSize()) {
      problems.append("; world size ").append(worldSize).append(" there, ");
      problems.append(self.worldSize()).append(" here");
    }
    if (session != self.session()) {
      problems.append("; session ").append(session).append(" there, ");
      problems.append(self.session()).append(" here (a stale task of an earlier attempt?)");
    }
    if (wire != self.wireType().ordinal()) {
      String there =
          wire >= 0 && wire < WireType.values().length ? "" + WireType.values()[wire] : "?";
      problems.append("; wire type ").append(there).append(" there, ");
      problems.append(self.wireType()).append(" here (").append(AllReduceConfig.WIRE_DTYPE);
      problems.append(")");
    }
    if (chunkBytes != self.chunkBytes()) {
      problems.append("; chunk ").append(chunkBytes).append(" bytes there, ");
      problems.append(self.chunkBytes()).append(" here (").append(AllReduceConfig.CHUNK_BYTES);
      problems.append(")");
    }
    if (bucketBytes != self.bucketBytes()) {
      problems.append("; bucket ").append(bucketBytes).append(" bytes there, ");
      problems.append(self.bucketBytes()).append(" here (").append(AllReduceConfig.BUCKET_BYTES);
      problems.append(")");
    }
    if (problems.length() > 0) {
      throw new AllReduceException(
          "Rank "
              + self.rank()
              + ": ring handshake with "
              + name
              + " failed: all ranks must agree"
              + problems);
    }
  }

  private static void write(
      SocketChannel channel,
      ByteBuffer frame,
      long deadline,
      long timeoutNanos,
      int rank,
      String what)
      throws IOException {
    try (Selector selector = Selector.open()) {
      channel.register(selector, SelectionKey.OP_WRITE);
      while (frame.hasRemaining()) {
        if (channel.write(frame) == 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw timeout(rank, timeoutNanos, what, null);
          }
          selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          selector.selectedKeys().clear();
        }
      }
    }
  }

  /** Reads one HELLO frame (header and payload). */
  private static ByteBuffer read(
      SocketChannel channel, long deadline, long timeoutNanos, int rank, String what)
      throws IOException {
    ByteBuffer frame = Frames.small(Frames.HEADER_BYTES + Frames.HELLO_BYTES);
    try (Selector selector = Selector.open()) {
      channel.register(selector, SelectionKey.OP_READ);
      while (frame.hasRemaining()) {
        int n = channel.read(frame);
        if (n < 0) {
          throw new AllReduceException(
              "Rank " + rank + ": connection closed by the peer while " + what);
        }
        if (n == 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw timeout(rank, timeoutNanos, what, null);
          }
          selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          selector.selectedKeys().clear();
        }
      }
    }
    return frame.flip();
  }

  private static AllReduceException timeout(
      int rank, long timeoutNanos, String what, Exception last) {
    return new AllReduceException(
        "Rank "
            + rank
            + ": timed out after "
            + Stalls.format(timeoutNanos)
            + " "
            + what
            + (last == null ? "" : " (last error: " + last + ")")
            + "; that rank is dead, stuck or unreachable ("
            + AllReduceConfig.TIMEOUT
            + ")",
        last);
  }

  private static void sleep(long millis, int rank) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AllReduceException("Rank " + rank + ": interrupted while connecting the ring", e);
    }
  }

  static void closeQuietly(java.io.Closeable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (IOException ignored) {
        // Closing after a failure: the original error is what matters.
      }
    }
  }
}
