package org.llamapro.train.allreduce;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.net.InetSocketAddress;

/**
 * Where one rank listens for its ring predecessor: the result of the rendezvous, published once by
 * every rank (e.g. through Spark's {@code BarrierTaskContext.allGather}) as {@code host:port}.
 */
public record PeerAddress(String host, int port) implements Serializable {
  public PeerAddress {
    requireNonNull(host, "host is null");
    if (host.isBlank()) {
      throw new IllegalArgumentException("Invalid peer host: '" + host + "' (must not be blank)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("Invalid peer port: " + port + " (must be 1..65535)");
    }
  }

  /** Parses {@code host:port} (IPv6 hosts in brackets: {@code [::1]:5000}). */
  public static PeerAddress parse(String text) {
    requireNonNull(text, "text is null");
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException(
          "Invalid peer address: '" + text + "' (expected host:port)");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new PeerAddress(host, Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Invalid peer address: '" + text + "' (port is not a number)", e);
    }
  }

  InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** {@code host:port}, the form {@link #parse} reads. */
  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
