package org.llamapro.train.checkpoint;

/**
 * A checkpoint file or directory that is malformed or unsupported. The message names the file and
 * what is wrong with it. It is bad input, hence an {@link IllegalArgumentException}.
 */
public final class InvalidCheckpointException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidCheckpointException(String message) {
    super(message);
  }

  public InvalidCheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
