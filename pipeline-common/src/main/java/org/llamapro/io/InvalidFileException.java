package org.llamapro.io;

/** A file this pipeline reads is malformed: the message names the file and what was expected. */
public final class InvalidFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidFileException(String message) {
    super(message);
  }

  public InvalidFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
