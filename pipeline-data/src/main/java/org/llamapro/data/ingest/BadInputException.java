package org.llamapro.data.ingest;

/** Too much of the input is bad: the message names the counts and the first bad records. */
public final class BadInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }
}
