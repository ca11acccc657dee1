package org.llamapro.train.allreduce;

/**
 * A collective could not complete: a peer failed, closed its connection or stopped answering within
 * the timeout. The message names the peer (rank and host:port) and what was being waited for.
 */
public class AllReduceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AllReduceException(String message) {
    super(message);
  }

  public AllReduceException(String message, Throwable cause) {
    super(message, cause);
  }
}
