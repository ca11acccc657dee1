package org.llamapro.train.allreduce;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy on 127.0.0.1 in front of one rank's listening address: the rank before it connects
 * here instead, and the test can {@link #cut()} every connection at once with a reset, the way a
 * crashed host or a dead network drops them (no ABORT frame, no orderly close).
 */
final class CuttableProxy implements AutoCloseable {
  private final ServerSocket server;
  private final PeerAddress target;
  private final List<Socket> sockets = new ArrayList<>();
  private boolean cut;

  CuttableProxy(PeerAddress target) {
    this.target = target;
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    start("proxy-accept-" + target, this::acceptLoop);
  }

  /** Where to connect instead of the target. */
  PeerAddress address() {
    return new PeerAddress("127.0.0.1", server.getLocalPort());
  }

  /** Drops every connection through this proxy with a reset and accepts no more. */
  synchronized void cut() {
    cut = true;
    closeQuietly(server);
    for (Socket socket : sockets) {
      try {
        socket.setSoLinger(true, 0); // RST, as when the peer's host is gone
      } catch (IOException ignored) {
        // Already closed.
      }
      closeQuietly(socket);
    }
  }

  @Override
  public void close() {
    cut();
  }

  private void acceptLoop() {
    while (true) {
      Socket client;
      Socket upstream;
      try {
        client = server.accept();
        upstream = new Socket(target.host(), target.port());
      } catch (IOException e) {
        return; // cut or closed
      }
      synchronized (this) {
        sockets.add(client);
        sockets.add(upstream);
        if (cut) {
          cut();
          return;
        }
      }
      start("proxy-up-" + target, () -> copy(client, upstream));
      start("proxy-down-" + target, () -> copy(upstream, client));
    }
  }

  /** Copies until the end of stream, then forwards it (FIN) to the other side. */
  private static void copy(Socket from, Socket to) {
    byte[] buffer = new byte[64 << 10];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(to);
    }
  }

  private static void start(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // Closing after a cut: nothing left to save.
    }
  }
}
